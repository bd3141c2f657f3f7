export { createLogger, redactUrl, redactedPaths, type Logger } from './logger.ts';
