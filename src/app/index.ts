export { buildApp, defaultWebDistDir, type BuildAppOptions } from './build-app.ts';
export { openRuntime, type Runtime } from './runtime.ts';
export { recordsDatabaseMigrations, auditDatabaseMigrations } from './migrations.ts';
export { openAccessPolicy } from './access-policy.ts';
