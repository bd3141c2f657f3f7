export type { Config, DatabaseConfig, CacheConfig, BusConfig, StorageConfig } from './config.ts';
export { loadConfig, loadConfigFromProcess, ConfigError, type Env } from './load-config.ts';
