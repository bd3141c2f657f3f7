/**
 * Thrown by a handler when retrying cannot help (a corrupt upload, a payload that fails validation): the
 * job goes straight to `dead` with this message instead of using up its attempts.
 */
export class UnrecoverableJobError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UnrecoverableJobError';
  }
}
