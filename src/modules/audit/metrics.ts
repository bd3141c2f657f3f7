import { Gauge, type Registry } from 'prom-client';
import type { AuditService } from './service.ts';
import { readVerificationStatus, type VerificationStatus } from './verify/verification-status.ts';

/**
 * Ledger gauges: size, replication lag, and the scheduled verification's result. Alert on
 * `carebase_audit_verification_failed == 1` (tampering or corruption) and on a growing replication lag.
 */
export function registerAuditMetrics(registry: Registry, audit: AuditService): void {
  let cached: { at: number; status: VerificationStatus | undefined } | undefined;
  const status = async () => {
    if (!cached || Date.now() - cached.at > 30_000) {
      cached = { at: Date.now(), status: await readVerificationStatus(audit.storage).catch(() => undefined) };
    }
    return cached.status;
  };
  new Gauge({
    name: 'carebase_audit_entries',
    help: 'Entries in the audit ledger',
    registers: [registry],
    async collect() {
      this.set(await audit.size());
    },
  });
  new Gauge({
    name: 'carebase_audit_replication_lag_entries',
    help: 'Ledger entries not yet in the replicated archive (unpublished + unconsumed)',
    registers: [registry],
    async collect() {
      if (audit.replication) this.set(await audit.replication.lag().catch(() => -1));
    },
  });
  new Gauge({
    name: 'carebase_audit_verification_failed',
    help: '1 when the last scheduled ledger verification found a failing entry or checkpoint',
    registers: [registry],
    async collect() {
      const last = await status();
      this.set(last && !last.ok ? 1 : 0);
    },
  });
  new Gauge({
    name: 'carebase_audit_verification_last_run_seconds',
    help: 'Unix time of the last scheduled ledger verification (0: never)',
    registers: [registry],
    async collect() {
      const last = await status();
      this.set(last ? Date.parse(last.at) / 1000 : 0);
    },
  });
}
