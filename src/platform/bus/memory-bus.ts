import { AppError } from '../errors/index.ts';
import {
  consumerDefaults,
  type Bus,
  type ConsumeOptions,
  type ConsumerSpec,
  type MessageHandler,
  type StopConsuming,
} from './bus.ts';
import { createBusMessage, encodePayload } from './bus-message.ts';
import { MemoryStream, type DurableState } from './memory-stream.ts';
import { assertPublishSubject } from './subject-match.ts';

/**
 * The in-process bus of embedded mode, with JetStream's semantics: streams keep messages, durable
 * consumers keep their position for the life of the process, failed messages are redelivered up to
 * `maxDeliver` times, and a msgId is stored once within the duplicate window. Nothing survives a restart:
 * durability in embedded mode comes from the database, not from this bus.
 */
export function createMemoryBus(): Bus {
  const streams = new Map<string, MemoryStream>();
  const running = new Set<StopConsuming>();
  let closed = false;

  const assertOpen = () => {
    if (closed) throw new Error('bus is closed');
  };

  const runConsumer = (
    stream: MemoryStream,
    state: DurableState,
    handler: MessageHandler,
    options: ConsumeOptions,
  ) => {
    let stopping = false;
    const loop = (async () => {
      while (!stopping && streams.get(stream.name) === stream) {
        const next = stream.takeNext(state);
        if (!next) {
          await stream.waitForChange(stream.nextRedeliveryInMs(state));
          continue;
        }
        const { message: stored, deliveryCount } = next;
        // The handler gets its own copy: a redelivery must carry the bytes that were published.
        const message = createBusMessage({
          subject: stored.subject,
          data: Uint8Array.from(stored.data),
          seq: stored.seq,
          deliveryCount,
        });
        try {
          await handler(message);
          state.deliveries.delete(stored.seq);
        } catch (error) {
          const willRetry = deliveryCount < state.maxDeliver;
          if (willRetry) state.redeliverAt.set(stored.seq, Date.now() + state.retryDelayMs);
          else state.deliveries.delete(stored.seq);
          try {
            options.onHandlerError?.(error, message, { willRetry });
          } catch {
            // A failing error reporter must not stop the consumer.
          }
        }
      }
    })();
    const stop: StopConsuming = async () => {
      stopping = true;
      stream.wakeConsumers();
      await loop;
      running.delete(stop);
    };
    running.add(stop);
    return stop;
  };

  return {
    kind: 'memory',
    async ensureStream(name, subjects, options = {}) {
      assertOpen();
      if (!/^[^\s.*>/\\]+$/.test(name)) throw new Error(`invalid stream name: ${JSON.stringify(name)}`);
      if (subjects.length === 0) throw new Error('a stream needs at least one subject');
      const existing = streams.get(name);
      if (existing) {
        existing.subjects = [...subjects];
        existing.options = { ...options };
        return;
      }
      streams.set(name, new MemoryStream(name, [...subjects], { ...options }));
    },
    async deleteStream(name) {
      assertOpen();
      const stream = streams.get(name);
      streams.delete(name);
      stream?.wakeConsumers(); // its consumers see the stream gone and end
    },
    async publish(subject, data, options = {}) {
      assertOpen();
      assertPublishSubject(subject);
      const stream = [...streams.values()].find((candidate) => candidate.accepts(subject));
      if (!stream) throw new Error(`no stream accepts subject ${subject}`);
      return { stream: stream.name, ...stream.append(subject, encodePayload(data), options.msgId) };
    },
    async consume(spec: ConsumerSpec, handler, options = {}) {
      assertOpen();
      const stream = streams.get(spec.stream);
      if (!stream) throw new AppError('not_found', `Stream ${spec.stream} does not exist.`);
      const state = stream.durable(spec.durable, {
        filter: spec.subject,
        maxDeliver: spec.maxDeliver ?? consumerDefaults.maxDeliver,
        retryDelayMs: spec.retryDelayMs ?? consumerDefaults.retryDelayMs,
      });
      return runConsumer(stream, state, handler, options);
    },
    async consumerLag(streamName, durable) {
      assertOpen();
      const stream = streams.get(streamName);
      const state = stream?.durables.get(durable);
      if (!stream || !state)
        throw new AppError('not_found', `Consumer ${durable} of stream ${streamName} does not exist.`);
      return stream.lag(state);
    },
    async ping() {
      assertOpen();
    },
    async close() {
      if (closed) return;
      await Promise.all([...running].map((stop) => stop()));
      closed = true;
    },
  };
}
