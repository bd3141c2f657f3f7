import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  jetstream,
  jetstreamManager,
  StorageType,
  type ConsumerMessages,
  type JsMsg,
} from '@nats-io/jetstream';
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import { AppError } from '../errors/index.ts';
import {
  consumerDefaults,
  defaultDuplicateWindowMs,
  type Bus,
  type ConsumeOptions,
  type ConsumerSpec,
  type MessageHandler,
  type StopConsuming,
} from './bus.ts';
import { createBusMessage, encodePayload } from './bus-message.ts';
import { assertPublishSubject } from './subject-match.ts';

/** A message not acknowledged within this time is redelivered; handlers still running report progress. */
const ackWaitMs = 30_000;
const progressIntervalMs = 10_000;
const reconsumeDelayMs = 1_000;

export interface NatsBusOptions {
  /** Connection name shown by the server's monitoring. */
  name?: string;
  /** Told when a consumer's subscription fails and is restarted. */
  onConsumerError?: (error: unknown, spec: ConsumerSpec) => void;
}

function isApiError(error: unknown, code: number): boolean {
  return error instanceof JetStreamApiError && error.code === code;
}

/** NATS JetStream through the v3 clients: file storage, explicit acks, pull consumers. */
export async function createNatsBus(url: string, options: NatsBusOptions = {}): Promise<Bus> {
  let connection: NatsConnection;
  try {
    connection = await connect({
      servers: url,
      name: options.name ?? 'carebase',
      timeout: 5_000,
      // Reconnect forever: publishes wait in the client's buffer and consumers resume by themselves.
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1_000,
    });
  } catch (error) {
    throw new AppError('unavailable', 'The event bus is unreachable.', { cause: error });
  }
  const js = jetstream(connection);
  const jsm = await jetstreamManager(connection);
  const running = new Set<StopConsuming>();
  let closed = false;

  const assertOpen = () => {
    if (closed) throw new Error('bus is closed');
  };

  const ensureConsumer = async (spec: ConsumerSpec) => {
    const settings = {
      max_deliver: spec.maxDeliver ?? consumerDefaults.maxDeliver,
      ack_wait: nanos(ackWaitMs),
      ...(spec.subject === undefined ? {} : { filter_subject: spec.subject }),
    };
    try {
      const info = await jsm.consumers.info(spec.stream, spec.durable);
      const current = info.config;
      const changed =
        current.max_deliver !== settings.max_deliver ||
        current.ack_wait !== settings.ack_wait ||
        (current.filter_subject ?? undefined) !== spec.subject;
      if (changed)
        await jsm.consumers.update(spec.stream, spec.durable, {
          ...settings,
          filter_subject: spec.subject ?? '',
        });
    } catch (error) {
      if (isApiError(error, JetStreamApiCodes.StreamNotFound))
        throw new AppError('not_found', `Stream ${spec.stream} does not exist.`, { cause: error });
      if (!isApiError(error, JetStreamApiCodes.ConsumerNotFound)) throw error;
      await jsm.consumers.add(spec.stream, {
        ...settings,
        durable_name: spec.durable,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
      });
    }
  };

  const handleMessage = async (
    msg: JsMsg,
    spec: ConsumerSpec,
    handler: MessageHandler,
    consumeOptions: ConsumeOptions,
  ) => {
    const message = createBusMessage({
      subject: msg.subject,
      data: msg.data,
      seq: msg.seq,
      deliveryCount: msg.info.deliveryCount,
    });
    // A long handler tells the server it is still working, so the message is not redelivered meanwhile.
    const progress = setInterval(() => msg.working(), progressIntervalMs);
    try {
      await handler(message);
    } catch (error) {
      const willRetry = msg.info.deliveryCount < (spec.maxDeliver ?? consumerDefaults.maxDeliver);
      if (willRetry) msg.nak(spec.retryDelayMs ?? consumerDefaults.retryDelayMs);
      // Without a reason: servers before 2.10.4 do not understand `+TERM <reason>`.
      else msg.term();
      try {
        consumeOptions.onHandlerError?.(error, message, { willRetry });
      } catch {
        // A failing error reporter must not stop the consumer.
      }
      return;
    } finally {
      clearInterval(progress);
    }
    try {
      // Confirmed, so that the consumer's lag is exact once the handler has returned.
      await msg.ackAck();
    } catch {
      // Unconfirmed: the server redelivers after ack_wait at worst, and handlers are idempotent.
    }
  };

  const runConsumer = (
    spec: ConsumerSpec,
    handler: MessageHandler,
    consumeOptions: ConsumeOptions,
  ): StopConsuming => {
    let stopping = false;
    let messages: ConsumerMessages | undefined;
    const loop = (async () => {
      while (!stopping) {
        try {
          const consumer = await js.consumers.get(spec.stream, spec.durable);
          messages = await consumer.consume({ max_messages: spec.prefetch ?? consumerDefaults.prefetch });
          // Not awaited: closing completes only once the loop below has drained what was fetched.
          if (stopping) void messages.close();
          for await (const msg of messages) {
            await handleMessage(msg, spec, handler, consumeOptions);
          }
        } catch (error) {
          if (!stopping) options.onConsumerError?.(error, spec);
        }
        // The subscription ended without stop() (consumer deleted, connection closed): try again shortly.
        if (!stopping) await new Promise((resolve) => setTimeout(resolve, reconsumeDelayMs));
      }
    })();
    const stop: StopConsuming = async () => {
      stopping = true;
      void messages?.close();
      await loop;
      running.delete(stop);
    };
    running.add(stop);
    return stop;
  };

  return {
    kind: 'nats',
    async ensureStream(name, subjects, streamOptions = {}) {
      assertOpen();
      const limits = {
        subjects,
        duplicate_window: nanos(streamOptions.duplicateWindowMs ?? defaultDuplicateWindowMs),
        max_msgs: streamOptions.maxMessages ?? -1,
        max_age: streamOptions.maxAgeMs === undefined ? 0 : nanos(streamOptions.maxAgeMs),
      };
      try {
        await jsm.streams.info(name);
      } catch (error) {
        if (!isApiError(error, JetStreamApiCodes.StreamNotFound)) throw error;
        await jsm.streams.add({ name, ...limits, storage: StorageType.File, discard: DiscardPolicy.Old });
        return;
      }
      await jsm.streams.update(name, limits);
    },
    async deleteStream(name) {
      assertOpen();
      try {
        await jsm.streams.delete(name);
      } catch (error) {
        if (!isApiError(error, JetStreamApiCodes.StreamNotFound)) throw error;
      }
    },
    async publish(subject, data, publishOptions = {}) {
      assertOpen();
      assertPublishSubject(subject);
      try {
        const ack = await js.publish(
          subject,
          encodePayload(data),
          publishOptions.msgId === undefined ? {} : { msgID: publishOptions.msgId },
        );
        return { stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate };
      } catch (error) {
        // The client reports a subject that no stream listens on as JetStream not being enabled.
        if (error instanceof Error && error.name === 'JetStreamNotEnabled') {
          throw new Error(`no stream accepts subject ${subject} (or JetStream is not enabled)`, {
            cause: error,
          });
        }
        throw error;
      }
    },
    async consume(spec, handler, consumeOptions = {}) {
      assertOpen();
      await ensureConsumer(spec);
      return runConsumer(spec, handler, consumeOptions);
    },
    async consumerLag(stream, durable) {
      assertOpen();
      try {
        const info = await jsm.consumers.info(stream, durable);
        return { pending: info.num_pending, ackPending: info.num_ack_pending };
      } catch (error) {
        if (
          isApiError(error, JetStreamApiCodes.ConsumerNotFound) ||
          isApiError(error, JetStreamApiCodes.StreamNotFound)
        ) {
          throw new AppError('not_found', `Consumer ${durable} of stream ${stream} does not exist.`, {
            cause: error,
          });
        }
        throw error;
      }
    },
    async ping() {
      assertOpen();
      await connection.flush();
    },
    async close() {
      if (closed) return;
      await Promise.all([...running].map((stop) => stop()));
      closed = true;
      await connection.drain();
    },
  };
}
