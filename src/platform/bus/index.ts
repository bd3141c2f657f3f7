export type {
  Bus,
  BusMessage,
  ConsumeOptions,
  ConsumerLag,
  ConsumerSpec,
  MessageHandler,
  PublishOptions,
  PublishResult,
  StopConsuming,
  StreamOptions,
} from './bus.ts';
export { consumerDefaults, defaultDuplicateWindowMs } from './bus.ts';
export { createBus } from './create-bus.ts';
export { createMemoryBus } from './memory-bus.ts';
export { createNatsBus, type NatsBusOptions } from './nats-bus.ts';
export { subjectMatches } from './subject-match.ts';
