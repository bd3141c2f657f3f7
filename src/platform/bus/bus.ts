/** One delivery of a stored event. */
export interface BusMessage {
  readonly subject: string;
  readonly data: Uint8Array;
  /** Position in the stream; the same on every redelivery. */
  readonly seq: number;
  /** 1 on the first delivery, then 2, 3, … on redeliveries. */
  readonly deliveryCount: number;
  text(): string;
  /** Parses the payload as JSON (what `publish` sends for an object). */
  json<T = unknown>(): T;
}

export interface PublishOptions {
  /** Idempotency key: a second publish with the same id within the stream's duplicate window is dropped. */
  msgId?: string;
}

export interface PublishResult {
  stream: string;
  seq: number;
  /** True when the message was a duplicate of an earlier msgId and was not stored again. */
  duplicate: boolean;
}

export interface StreamOptions {
  /** How long msgIds are remembered for deduplication (default 2 minutes, as JetStream). */
  duplicateWindowMs?: number;
  /** Oldest messages are discarded beyond this count (default: unlimited on NATS, 1,000,000 in memory). */
  maxMessages?: number;
  /** Messages older than this are discarded (default: kept). */
  maxAgeMs?: number;
}

export interface ConsumerSpec {
  stream: string;
  /** A durable consumer keeps its position across restarts (and processes, on NATS). */
  durable: string;
  /** Only messages on this subject (wildcards allowed); all of the stream's by default. */
  subject?: string;
  /** Deliveries of one message before it is given up on (default 5). */
  maxDeliver?: number;
  /** Delay before a message whose handler failed is delivered again (default 1 s). */
  retryDelayMs?: number;
  /**
   * Messages fetched ahead of the handler (NATS; default 32). Their 30 s ack wait runs while they wait,
   * so keep `prefetch` × handler time below it, or they are delivered again.
   */
  prefetch?: number;
}

export interface ConsumeOptions {
  /** Told about each handler failure; `willRetry` is false once `maxDeliver` is reached. */
  onHandlerError?: (error: unknown, message: BusMessage, details: { willRetry: boolean }) => void;
}

/** Runs once per delivery; the message is acknowledged only after it resolves, redelivered if it rejects. */
export type MessageHandler = (message: BusMessage) => Promise<void>;

/**
 * Stops the consumer once the messages it already holds are handled (the one in flight; on NATS also
 * those fetched ahead, at most `prefetch`), so none waits for a redelivery timeout. The durable keeps
 * its position.
 */
export type StopConsuming = () => Promise<void>;

export interface ConsumerLag {
  /** Messages not yet delivered to the consumer. */
  pending: number;
  /** Messages delivered but not acknowledged yet (in flight or waiting for redelivery). */
  ackPending: number;
}

/**
 * Durable events with at-least-once delivery: in process in embedded mode, NATS JetStream in production.
 * Handlers must be idempotent: a message can be delivered again after a failure or a crash.
 */
export interface Bus {
  readonly kind: 'memory' | 'nats';
  /** Creates the stream, or updates its subjects and options. Idempotent. */
  ensureStream(name: string, subjects: string[], options?: StreamOptions): Promise<void>;
  deleteStream(name: string): Promise<void>;
  /** Resolves once the message is stored; an object is sent as JSON. */
  publish(subject: string, data: Uint8Array | object, options?: PublishOptions): Promise<PublishResult>;
  /** Creates or updates the durable consumer and delivers its messages one at a time to `handler`. */
  consume(spec: ConsumerSpec, handler: MessageHandler, options?: ConsumeOptions): Promise<StopConsuming>;
  /** For metrics (e.g. audit replication lag). AppError `not_found` for an unknown consumer. */
  consumerLag(stream: string, durable: string): Promise<ConsumerLag>;
  ping(): Promise<void>;
  /** Stops every consumer (letting in-flight handlers finish), then closes. Idempotent. */
  close(): Promise<void>;
}

export const consumerDefaults = { maxDeliver: 5, retryDelayMs: 1_000, prefetch: 32 } as const;
export const defaultDuplicateWindowMs = 120_000;
