const maxLength = 2_000;

/**
 * A readable one-line reason for a failed attempt, kept as the job's `lastError`: the message (and the
 * causes' messages), never a stack. Handlers may throw anything, so non-Errors are described too.
 */
export function describeError(error: unknown): string {
  const parts = [describeOne(error)];
  let cause = error instanceof Error ? error.cause : undefined;
  while (cause !== undefined && parts.length < 4) {
    parts.push(describeOne(cause));
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  const text = parts.join(' (caused by) ').replace(/\s+/g, ' ').trim() || 'unknown error';
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}

function describeOne(error: unknown): string {
  if (error instanceof Error) {
    const name = error.name && error.name !== 'Error' ? `${error.name}: ` : '';
    return `${name}${error.message || '(no message)'}`;
  }
  if (typeof error === 'string') return error;
  if (error === null || typeof error !== 'object') return `non-error thrown: ${String(error)}`;
  try {
    return `non-error thrown: ${JSON.stringify(error)}`;
  } catch {
    return `non-error thrown: ${Object.prototype.toString.call(error)}`;
  }
}
