import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type ErrorCode } from '../errors/index.ts';

const fhirIssueCode: Record<ErrorCode, string> = {
  invalid_request: 'invalid',
  validation_failed: 'invalid',
  unauthenticated: 'login',
  invalid_grant: 'login',
  mfa_required: 'login',
  forbidden: 'forbidden',
  not_found: 'not-found',
  method_not_allowed: 'not-supported',
  conflict: 'conflict',
  gone: 'deleted',
  precondition_failed: 'conflict',
  payload_too_large: 'too-costly',
  unsupported_media_type: 'not-supported',
  unprocessable: 'processing',
  rate_limited: 'throttled',
  internal: 'exception',
  unavailable: 'transient',
};

/** Converts anything thrown into an AppError whose message is safe to show. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const e = error as Partial<FastifyError> & { validation?: { instancePath?: string; message?: string }[] };
  if (e.validation) {
    return new AppError('validation_failed', 'The request is invalid', {
      issues: e.validation.map((v) => ({
        path: v.instancePath || undefined,
        message: v.message ?? 'invalid',
      })),
    });
  }
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('payload_too_large', 'The request body is too large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('unsupported_media_type', 'Unsupported content type');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('invalid_request', 'The request body is not valid JSON');
  }
  if (error instanceof SyntaxError)
    return new AppError('invalid_request', 'The request body is not valid JSON');
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new AppError(e.statusCode === 404 ? 'not_found' : 'invalid_request', e.message ?? 'Bad request');
  }
  return new AppError('internal', 'An internal error occurred', { cause: error });
}

export function isFhirRequest(request: FastifyRequest): boolean {
  return request.url.startsWith('/fhir/');
}

export function operationOutcome(error: AppError) {
  const code = fhirIssueCode[error.code];
  const issues = error.issues.length > 0 ? error.issues : [{ message: error.message }];
  return {
    resourceType: 'OperationOutcome',
    issue: issues.map((issue) => ({
      severity: error.status >= 500 ? 'fatal' : 'error',
      code,
      diagnostics: issue.message,
      ...(issue.path ? { expression: [issue.path] } : {}),
    })),
  };
}

export function sendError(request: FastifyRequest, reply: FastifyReply, error: AppError) {
  if (isFhirRequest(request)) {
    return reply.code(error.status).type('application/fhir+json').send(operationOutcome(error));
  }
  return reply.code(error.status).send({
    error: error.code,
    message: error.message,
    ...(error.reason ? { reason: error.reason } : {}),
    ...(error.issues.length > 0 ? { issues: error.issues } : {}),
    requestId: request.id,
  });
}

/** The one place errors become HTTP responses. Internals are logged, never returned. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const appError = toAppError(error);
    if (appError.status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: appError.code }, 'request rejected');
    return sendError(request, reply, appError);
  });
  app.setNotFoundHandler({ preHandler: undefined }, (request, reply) =>
    sendError(request, reply, new AppError('not_found', 'Not found')),
  );
}
