export { AppError, isAppError, errorStatus, type ErrorCode, type ErrorIssue } from './app-error.ts';
