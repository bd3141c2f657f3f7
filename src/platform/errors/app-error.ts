/**
 * The one error type. Modules throw AppError with a code from this union; the HTTP layer maps it to a
 * status and, on the FHIR API, to an OperationOutcome. Messages are shown to callers, so they must never
 * carry internals or another patient's data.
 */
export const errorStatus = {
  invalid_request: 400,
  validation_failed: 400,
  unauthenticated: 401,
  invalid_grant: 401,
  mfa_required: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  gone: 410,
  precondition_failed: 412,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export interface ErrorIssue {
  /** FHIRPath-like location of the problem, e.g. `Observation.status`. */
  path?: string;
  message: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly issues: ErrorIssue[];
  /** Machine-readable reason for the audit trail and for 403s the caller may know about. */
  readonly reason: string | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { issues?: ErrorIssue[]; reason?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.issues = options.issues ?? [];
    this.reason = options.reason;
  }

  get status(): number {
    return errorStatus[this.code];
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
