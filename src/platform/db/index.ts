export {
  databaseDriver,
  openDatabase,
  openPGlite,
  type Database,
  type DatabaseDriver,
  type PoolStats,
} from './database.ts';
export { migrateToLatest, type Migrations } from './migrate.ts';
export {
  inCallerTransaction,
  applyCallerSettings,
  callerSettings,
  assertRowLevelSecurityApplies,
  EMBEDDED_APP_ROLE,
} from './caller.ts';
export { ensureAppRole, grantToAppRole, grantAppRoleTo } from './app-role.ts';
