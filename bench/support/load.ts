/**
 * An HTTP load generator for benchmarks, run in a worker thread so it does not share the event loop with
 * the server under test. `closed`: `concurrency` clients back to back (maximum throughput); `open`:
 * requests started at a fixed rate whatever the responses do, latency counted from each scheduled start
 * (no coordinated omission). Only loopback addresses are ever targeted, and every run ends by itself.
 */
import { Worker } from 'node:worker_threads';

export interface LoadJob {
  port: number;
  paths: string[];
  headers: Record<string, string>[];
  mode: 'closed' | 'open';
  concurrency: number;
  /** Requests per second offered in `open` mode. */
  rate: number;
  seconds: number;
  /** Closed mode: stop after this many requests even before `seconds` (a warm-up pass over `paths`). */
  requests?: number;
}

export interface LoadResult {
  done: number;
  errors: number;
  seconds: number;
  p50: number;
  p99: number;
  /** Completed requests per second. */
  throughput: number;
  /** Response body bytes received. */
  bytes: number;
  /** Every completed request's latency in ms, ascending (for merging runs). */
  latencies: number[];
}

// Plain JavaScript evaluated in the worker (workers do not inherit the tsx loader).
const generatorSource = `
const http = require('node:http');
const { parentPort, workerData: job } = require('node:worker_threads');
const agent = new http.Agent({ keepAlive: true, maxSockets: Math.max(job.concurrency, 256) });
const latencies = [];
let errors = 0;
let bytes = 0;
let n = 0;
const one = (scheduled) => new Promise((resolve) => {
  const i = n++;
  const req = http.get({ port: job.port, host: '127.0.0.1', path: job.paths[i % job.paths.length],
    headers: job.headers[i % job.headers.length], agent }, (res) => {
    res.on('data', (chunk) => { bytes += chunk.length; });
    res.on('end', () => {
      if (res.statusCode !== 200) errors++;
      latencies.push(performance.now() - scheduled);
      resolve();
    });
  });
  req.on('error', () => { errors++; resolve(); });
});
(async () => {
  const started = performance.now();
  const end = started + job.seconds * 1000;
  if (job.mode === 'closed') {
    await Promise.all(Array.from({ length: job.concurrency }, async () => {
      while (performance.now() < end && n < (job.requests ?? Infinity)) await one(performance.now());
    }));
  } else {
    const pending = [];
    const total = Math.floor(job.rate * job.seconds);
    for (let i = 0; i < total; i++) {
      const at = started + (i * 1000) / job.rate;
      const wait = at - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      pending.push(one(at));
    }
    await Promise.all(pending);
  }
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies.length === 0 ? 0 : latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))];
  parentPort.postMessage({ done: latencies.length, errors, seconds, p50: pct(0.5), p99: pct(0.99),
    throughput: latencies.length / seconds, bytes, latencies });
})();
`;

export function runLoad(job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(generatorSource, { eval: true, workerData: job });
    worker.once('message', (result: LoadResult) => {
      resolve(result);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}
