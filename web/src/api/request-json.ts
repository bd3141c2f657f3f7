/** A failed call to the Carebase API, with what the server said (SPEC: `{ error, message, requestId }`). */
export class ApiError extends Error {
  /** HTTP status; 0 when the server could not be reached or did not answer in time. */
  readonly status: number;
  /** The server's error code (`invalid_grant`, `mfa_required`, …), or `network` / `timeout`. */
  readonly code: string;
  /** Lets support find the request in the server logs. */
  readonly requestId: string | undefined;
  /** The parsed error body (e.g. a FHIR OperationOutcome with a reason code), when there was one. */
  readonly body: unknown;

  constructor(status: number, code: string, message: string, requestId?: string, body?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.requestId = requestId;
    this.body = body;
  }
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as `application/x-www-form-urlencoded` (OAuth endpoints). */
  form?: Record<string, string>;
  accessToken?: string;
  timeoutMs?: number;
  /** Extra headers, e.g. `X-Purpose-Of-Use` or a FHIR `accept`. */
  headers?: Record<string, string>;
  /** Content type of a `json` body (FHIR wants `application/fhir+json`). */
  jsonContentType?: string;
}

const defaultTimeoutMs = 15_000;

/** Calls the API on the same origin and returns the parsed JSON body, or throws an ApiError. */
export async function requestJson(path: string, options: RequestOptions = {}): Promise<unknown> {
  const headers: Record<string, string> = { accept: 'application/json' };
  let body: string | undefined;
  if (options.json !== undefined) {
    headers['content-type'] = options.jsonContentType ?? 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  }
  if (options.accessToken) headers.authorization = `Bearer ${options.accessToken}`;
  Object.assign(headers, options.headers);

  let response: Response;
  try {
    response = await fetch(path, {
      method: options.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      body,
      // Tokens travel in headers only; no cookies are needed or sent.
      credentials: 'omit',
      cache: 'no-store',
      signal: AbortSignal.timeout(options.timeoutMs ?? defaultTimeoutMs),
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'TimeoutError') {
      throw new ApiError(0, 'timeout', 'The server did not answer in time');
    }
    throw new ApiError(0, 'network', 'The server could not be reached');
  }

  const payload = await readJson(response);
  if (response.ok) return payload;
  const fields = isRecord(payload) ? payload : {};
  throw new ApiError(
    response.status,
    typeof fields.error === 'string' ? fields.error : `http_${response.status}`,
    typeof fields.message === 'string' ? fields.message : response.statusText,
    typeof fields.requestId === 'string' ? fields.requestId : undefined,
    payload,
  );
}

async function readJson(response: Response): Promise<unknown> {
  if (!(response.headers.get('content-type') ?? '').includes('json')) return undefined;
  try {
    return await response.json();
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
