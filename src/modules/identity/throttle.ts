import type { Config } from '../../config/index.ts';
import type { Cache } from '../../platform/cache/index.ts';

/**
 * Counters in the shared cache (Redis in production, so limits hold across processes). A counter gets
 * its expiry right after its first increment; two processes racing on that first increment can lose a
 * count, which a limit of this kind tolerates.
 */
async function hit(cache: Cache, key: string, windowMs: number): Promise<number> {
  const count = await cache.incr(key);
  if (count === 1) await cache.set(key, '1', windowMs);
  return count;
}

async function count(cache: Cache, key: string): Promise<number> {
  const value = await cache.get(key);
  return value === undefined ? 0 : Number(value) || 0;
}

export interface LoginThrottle {
  /** Seconds until the username or IP may try again, or 0. */
  retryAfterSeconds(username: string, ip: string | undefined): Promise<number>;
  recordFailure(username: string, ip: string | undefined): Promise<void>;
  recordSuccess(username: string): Promise<void>;
}

/**
 * Keyed by the normalized username, not the account: unknown usernames lock exactly like real ones,
 * so neither the lockout nor its answer tells whether an account exists.
 */
export function createLoginThrottle(cache: Cache, auth: Config['auth']): LoginThrottle {
  const windowMs = auth.lockoutSeconds * 1000;
  const name = (username: string) => encodeURIComponent(username.trim().toLowerCase());
  const keys = {
    failures: (username: string) => `identity:login:failures:user:${name(username)}`,
    lock: (username: string) => `identity:login:lock:user:${name(username)}`,
    ip: (ip: string) => `identity:login:failures:ip:${ip}`,
  };
  return {
    async retryAfterSeconds(username, ip) {
      const lockedUntil = await cache.get(keys.lock(username));
      if (lockedUntil !== undefined) return Math.max(1, Math.ceil((Number(lockedUntil) - Date.now()) / 1000));
      if (ip && (await count(cache, keys.ip(ip))) >= auth.loginMaxFailuresPerIp) return auth.lockoutSeconds;
      return 0;
    },
    async recordFailure(username, ip) {
      const failures = await hit(cache, keys.failures(username), windowMs);
      if (failures >= auth.loginMaxFailures) {
        await cache.set(keys.lock(username), String(Date.now() + windowMs), windowMs);
        await cache.delete(keys.failures(username));
      }
      if (ip) await hit(cache, keys.ip(ip), windowMs);
    },
    async recordSuccess(username) {
      await cache.delete(keys.failures(username));
    },
  };
}

/** Fixed one-minute windows per subject: `allow` is false once the window's budget is spent. */
export function createRequestRateLimiter(cache: Cache, perMinute: number) {
  return {
    async allow(subject: string): Promise<boolean> {
      const window = Math.floor(Date.now() / 60_000);
      return (
        (await hit(cache, `identity:rate:${encodeURIComponent(subject)}:${window}`, 61_000)) <= perMinute
      );
    },
  };
}
