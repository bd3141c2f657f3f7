import { ApiError, requestJson, type RequestOptions } from './request-json.ts';

/** Calls the API as the signed-in user: every request carries the current access token. */
export interface ApiClient {
  get(path: string, options?: Omit<RequestOptions, 'accessToken'>): Promise<unknown>;
  send(
    method: 'POST' | 'PUT' | 'DELETE',
    path: string,
    json?: unknown,
    options?: Omit<RequestOptions, 'accessToken' | 'json' | 'method'>,
  ): Promise<unknown>;
  /** A non-JSON download (CSV), as text. */
  getText(path: string): Promise<string>;
}

/**
 * `onUnauthorized` runs when the server says the session is over (401): revoked elsewhere ("sign out
 * everywhere"), disabled account, or expired. The app then signs out instead of failing page by page.
 */
export function createApiClient(accessToken: () => string, onUnauthorized: () => void): ApiClient {
  const watch = <T>(request: Promise<T>): Promise<T> =>
    request.catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 401) onUnauthorized();
      throw error;
    });
  return {
    get: (path, options = {}) => watch(requestJson(path, { ...options, accessToken: accessToken() })),
    send: (method, path, json, options = {}) =>
      watch(requestJson(path, { ...options, method, json, accessToken: accessToken() })),
    async getText(path) {
      const response = await fetch(path, {
        headers: { authorization: `Bearer ${accessToken()}` },
        credentials: 'omit',
        cache: 'no-store',
      });
      if (!response.ok) {
        // Re-run through requestJson for the uniform ApiError.
        await watch(requestJson(path, { accessToken: accessToken() }));
      }
      return response.text();
    },
  };
}

/** `?a=1&b=2` from the defined values only. */
export function query(params: Record<string, string | number | boolean | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
