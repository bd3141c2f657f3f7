import type { BusConfig } from '../../config/index.ts';
import type { Bus } from './bus.ts';
import { createMemoryBus } from './memory-bus.ts';
import { createNatsBus, type NatsBusOptions } from './nats-bus.ts';

/** The bus of the configured backend. NATS is connected before this resolves (AppError `unavailable` otherwise). */
export async function createBus(config: BusConfig, options: NatsBusOptions = {}): Promise<Bus> {
  switch (config.kind) {
    case 'memory':
      return createMemoryBus();
    case 'nats':
      return createNatsBus(config.url, options);
  }
}
