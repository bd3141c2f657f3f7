import { defaultDuplicateWindowMs, type StreamOptions } from './bus.ts';
import { subjectMatches } from './subject-match.ts';

export const defaultMemoryStreamMaxMessages = 1_000_000;

export interface StoredMessage {
  seq: number;
  subject: string;
  data: Uint8Array;
  storedAt: number;
}

/** What a durable consumer remembers between consume() calls, like a JetStream consumer's state. */
export interface DurableState {
  filter: string | undefined;
  maxDeliver: number;
  retryDelayMs: number;
  /** Highest stream sequence handed out for the first time. */
  deliveredUpTo: number;
  /** Unacknowledged sequences and how often each was delivered. */
  deliveries: Map<number, number>;
  /** Sequences waiting to be delivered again, with the time they become due. */
  redeliverAt: Map<number, number>;
}

/** One in-process stream: ordered messages, msgId deduplication, durable consumers. */
export class MemoryStream {
  private messages: StoredMessage[] = [];
  private nextSeq = 1;
  /** Insertion-ordered, so expired ids are always at the front. */
  private readonly recentMsgIds = new Map<string, { seq: number; storedAt: number }>();
  readonly durables = new Map<string, DurableState>();
  private readonly waiters = new Set<() => void>();

  constructor(
    readonly name: string,
    public subjects: string[],
    public options: StreamOptions,
  ) {}

  accepts(subject: string): boolean {
    return this.subjects.some((pattern) => subjectMatches(pattern, subject));
  }

  append(subject: string, data: Uint8Array, msgId: string | undefined): { seq: number; duplicate: boolean } {
    const now = Date.now();
    this.discardExpired(now);
    if (msgId !== undefined) {
      const earlier = this.recentMsgIds.get(msgId);
      if (earlier) return { seq: earlier.seq, duplicate: true };
    }
    const seq = this.nextSeq;
    this.nextSeq += 1;
    // Copied: the publisher may reuse its buffer, a stored message must not change.
    this.messages.push({ seq, subject, data: Uint8Array.from(data), storedAt: now });
    if (msgId !== undefined) this.recentMsgIds.set(msgId, { seq, storedAt: now });
    const maxMessages = this.options.maxMessages ?? defaultMemoryStreamMaxMessages;
    if (this.messages.length > maxMessages) this.messages.splice(0, this.messages.length - maxMessages);
    this.wakeConsumers();
    return { seq, duplicate: false };
  }

  durable(
    name: string,
    settings: Omit<DurableState, 'deliveredUpTo' | 'deliveries' | 'redeliverAt'>,
  ): DurableState {
    let state = this.durables.get(name);
    if (!state) {
      state = { ...settings, deliveredUpTo: 0, deliveries: new Map(), redeliverAt: new Map() };
      this.durables.set(name, state);
    }
    Object.assign(state, settings);
    return state;
  }

  /** The next message for a consumer: a due redelivery first, then the next new one; undefined if none. */
  takeNext(state: DurableState): { message: StoredMessage; deliveryCount: number } | undefined {
    const now = Date.now();
    this.discardExpired(now);
    for (const [seq, dueAt] of state.redeliverAt) {
      if (dueAt > now) continue;
      state.redeliverAt.delete(seq);
      const message = this.find(seq);
      if (!message) {
        state.deliveries.delete(seq); // discarded by the stream's limits meanwhile
        continue;
      }
      return { message, deliveryCount: this.countDelivery(state, seq) };
    }
    let message: StoredMessage | undefined;
    for (let index = this.indexAfter(state.deliveredUpTo); index < this.messages.length; index += 1) {
      const candidate = this.messages[index];
      if (candidate && this.passes(state, candidate)) {
        message = candidate;
        break;
      }
    }
    if (!message) return undefined;
    state.deliveredUpTo = message.seq;
    return { message, deliveryCount: this.countDelivery(state, message.seq) };
  }

  /** Milliseconds until the consumer's earliest redelivery, or undefined when none is scheduled. */
  nextRedeliveryInMs(state: DurableState): number | undefined {
    if (state.redeliverAt.size === 0) return undefined;
    return Math.max(0, Math.min(...state.redeliverAt.values()) - Date.now());
  }

  lag(state: DurableState): { pending: number; ackPending: number } {
    this.discardExpired(Date.now());
    let pending = 0;
    for (let index = this.indexAfter(state.deliveredUpTo); index < this.messages.length; index += 1) {
      const message = this.messages[index];
      if (message && this.passes(state, message)) pending += 1;
    }
    return { pending, ackPending: state.deliveries.size };
  }

  /** Resolves on the next append or `wakeConsumers()`, or after `timeoutMs`. */
  waitForChange(timeoutMs: number | undefined): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.waiters.delete(done);
        if (timer) clearTimeout(timer);
        resolve();
      };
      const timer = timeoutMs === undefined ? undefined : setTimeout(done, timeoutMs);
      this.waiters.add(done);
    });
  }

  wakeConsumers(): void {
    for (const wake of [...this.waiters]) wake();
  }

  private passes(state: DurableState, message: StoredMessage): boolean {
    return state.filter === undefined || subjectMatches(state.filter, message.subject);
  }

  private countDelivery(state: DurableState, seq: number): number {
    const count = (state.deliveries.get(seq) ?? 0) + 1;
    state.deliveries.set(seq, count);
    return count;
  }

  // Stored sequences are contiguous (only the head is ever discarded), so positions are computed.
  private find(seq: number): StoredMessage | undefined {
    const first = this.messages[0];
    if (!first) return undefined;
    const candidate = this.messages[seq - first.seq];
    return candidate?.seq === seq ? candidate : undefined;
  }

  private indexAfter(seq: number): number {
    const first = this.messages[0];
    return first ? Math.max(0, seq + 1 - first.seq) : 0;
  }

  private discardExpired(now: number): void {
    const windowMs = this.options.duplicateWindowMs ?? defaultDuplicateWindowMs;
    for (const [msgId, entry] of this.recentMsgIds) {
      if (now - entry.storedAt < windowMs) break;
      this.recentMsgIds.delete(msgId);
    }
    const maxAgeMs = this.options.maxAgeMs;
    if (maxAgeMs === undefined) return;
    let expired = 0;
    while (expired < this.messages.length && now - (this.messages[expired]?.storedAt ?? now) >= maxAgeMs)
      expired += 1;
    if (expired > 0) this.messages.splice(0, expired);
  }
}
