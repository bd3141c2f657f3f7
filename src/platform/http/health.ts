import type { FastifyInstance } from 'fastify';

export type ReadinessCheck = () => Promise<unknown>;

/**
 * `/healthz`: the process is alive. `/readyz`: every backend answers within the timeout; the body names
 * each check so an operator sees which one failed, without internal error text.
 */
export function registerHealthRoutes(
  app: FastifyInstance,
  checks: Record<string, ReadinessCheck>,
  options: { timeoutMs?: number; isShuttingDown?: () => boolean } = {},
): void {
  const timeoutMs = options.timeoutMs ?? 2_000;
  const access = { kind: 'public' } as const;
  app.get('/healthz', { config: { access }, logLevel: 'warn' }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config: { access }, logLevel: 'warn' }, async (request, reply) => {
    const entries = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        const started = performance.now();
        try {
          await withTimeout(check(), timeoutMs);
          return [name, { status: 'ok', ms: Math.round(performance.now() - started) }] as const;
        } catch (error) {
          request.log.warn({ check: name, err: error }, 'readiness check failed');
          return [name, { status: 'failing' }] as const;
        }
      }),
    );
    const shuttingDown = options.isShuttingDown?.() ?? false;
    const ready = !shuttingDown && entries.every(([, result]) => result.status === 'ok');
    reply.code(ready ? 200 : 503);
    return {
      status: ready ? 'ready' : shuttingDown ? 'shutting-down' : 'unavailable',
      checks: Object.fromEntries(entries),
    };
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
