import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface MetricSources {
  /** Connection pools by database name (records, audit). */
  pools: Record<string, () => { total: number; idle: number; waiting: number }>;
  /** Job counts by queue and state. */
  jobDepth?: () => Promise<{ queue: string; state: string; count: number }[]>;
}

/** A registry per app (tests build many apps), with the HTTP, pool and job metrics. */
export function createMetrics(sources: MetricSources) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const httpDuration = new Histogram({
    name: 'carebase_http_request_duration_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const httpErrors = new Counter({
    name: 'carebase_http_errors_total',
    help: 'HTTP responses with status >= 500',
    labelNames: ['route'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'carebase_db_pool_connections',
    help: 'Database pool connections by state',
    labelNames: ['database', 'state'] as const,
    registers: [registry],
    collect() {
      for (const [database, stats] of Object.entries(sources.pools)) {
        const { total, idle, waiting } = stats();
        this.set({ database, state: 'total' }, total);
        this.set({ database, state: 'idle' }, idle);
        this.set({ database, state: 'waiting' }, waiting);
      }
    },
  });
  new Gauge({
    name: 'carebase_job_queue_depth',
    help: 'Jobs by queue and state',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of (await sources.jobDepth?.()) ?? [])
        this.set({ queue: row.queue, state: row.state }, row.count);
    },
  });
  return { registry, httpDuration, httpErrors };
}

export type Metrics = ReturnType<typeof createMetrics>;

export function registerMetrics(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', async (request, reply) => {
    // The route pattern, not the URL: ids in paths would explode cardinality and leak identifiers.
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpDuration.observe(
      { method: request.method, route, status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    if (reply.statusCode >= 500) metrics.httpErrors.inc({ route });
  });
  app.get(
    '/metrics',
    { config: { access: { kind: 'public' } }, logLevel: 'warn' },
    async (_request, reply) => {
      reply.header('content-type', metrics.registry.contentType);
      return metrics.registry.metrics();
    },
  );
}
