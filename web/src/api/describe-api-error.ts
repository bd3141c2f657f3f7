import { ApiError } from './request-json.ts';

/** A sentence a clinician or patient can act on, with a reference support can look up. */
export function describeApiError(error: unknown): string {
  if (!(error instanceof ApiError))
    return 'Something unexpected went wrong. Please reload the page and try again.';
  return withReference(sentenceFor(error), error.requestId);
}

function sentenceFor(error: ApiError): string {
  if (error.code === 'network') return 'Carebase cannot be reached. Check your connection and try again.';
  if (error.code === 'timeout') return 'Carebase took too long to answer. Please try again.';
  if (error.code === 'bad_response') return `${error.message}. Please try again or contact support.`;
  if (error.status === 429) return 'Too many attempts. Please wait a few minutes before trying again.';
  if (error.status === 401) return 'Your session has ended. Please sign in again.';
  if (error.status === 403) return 'Your account is not allowed to do this.';
  if (error.status >= 500) return 'Carebase is having a problem right now. Please try again in a moment.';
  return `The request could not be completed (error ${error.status}). Please try again or contact support.`;
}

function withReference(sentence: string, requestId: string | undefined): string {
  return requestId ? `${sentence} Reference: ${requestId}.` : sentence;
}
