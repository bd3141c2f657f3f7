import { randomBytes } from 'node:crypto';
import {
  exportJWK,
  exportPKCS8,
  generateKeyPair,
  importJWK,
  importPKCS8,
  type CryptoKey,
  type JWK,
} from 'jose';
import { sql } from 'kysely';
import { open, seal } from '../../platform/crypto/index.ts';
import type { IdentityKysely } from './db-types.ts';

export const accessTokenAlg = 'ES256';

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
}

export interface SigningKeySet {
  /** The key new tokens are signed with; rotated when older than the rotation age. */
  current(): Promise<SigningKey>;
  /** A published verification key by `kid`; an unknown kid reloads the set at most once a second. */
  verificationKey(kid: string): Promise<CryptoKey | undefined>;
  /** Public keys still valid for verification, for `/auth/jwks`. */
  jwks(): Promise<{ keys: JWK[] }>;
  /** Starts signing with a fresh key now; earlier keys stay published until their tokens expire. */
  rotate(): Promise<string>;
}

export interface SigningKeyOptions {
  rotationMs: number;
  /** How long a retired key stays published: the longest token lifetime plus clock skew. */
  publishRetiredMs: number;
  now?: () => number;
}

interface LoadedKey {
  kid: string;
  createdAt: number;
  retiredAt: number | undefined;
  publicJwk: JWK;
  publicKey: CryptoKey;
  sealedPrivateKey: string;
}

const reloadAfterMs = 60_000;
const unknownKidReloadMs = 1_000;

/**
 * ES256 signing keys in the `signing_key` table, private halves sealed with the master key (AAD = kid)
 * so a database dump holds no usable private key. Every process reads the same set; a process that sees
 * a token signed with a kid it does not know yet reloads, so rotation needs no coordination.
 */
export function createSigningKeySet(
  db: IdentityKysely,
  masterKey: Buffer,
  options: SigningKeyOptions,
): SigningKeySet {
  const now = options.now ?? Date.now;
  let keys = new Map<string, LoadedKey>();
  let loadedAt = -Infinity;
  let lastUnknownReload = -Infinity;
  let loading: Promise<void> | undefined;
  const privateKeys = new Map<string, CryptoKey>();

  const load = async () => {
    const rows = await db
      .selectFrom('signing_key')
      .selectAll()
      .where((eb) =>
        eb.or([
          eb('retired_at', 'is', null),
          eb('retired_at', '>', new Date(now() - options.publishRetiredMs)),
        ]),
      )
      .execute();
    const next = new Map<string, LoadedKey>();
    for (const row of rows) {
      const existing = keys.get(row.kid);
      next.set(row.kid, {
        kid: row.kid,
        createdAt: row.created_at.getTime(),
        retiredAt: row.retired_at?.getTime(),
        publicJwk: row.public_jwk as JWK,
        publicKey:
          existing?.publicKey ?? ((await importJWK(row.public_jwk as JWK, accessTokenAlg)) as CryptoKey),
        sealedPrivateKey: row.private_key_sealed,
      });
    }
    keys = next;
    loadedAt = now();
  };
  const reload = () => (loading ??= load().finally(() => (loading = undefined)));
  const ensureFresh = async () => {
    if (now() - loadedAt > reloadAfterMs) await reload();
  };

  const newest = () =>
    [...keys.values()].filter((k) => k.retiredAt === undefined).sort((a, b) => b.createdAt - a.createdAt)[0];

  const rotate = async (onlyIfStale: boolean): Promise<string> => {
    const kid = await db.transaction().execute(async (trx) => {
      // One rotation at a time across processes; a process that waited finds the fresh key and keeps it.
      await sql`select pg_advisory_xact_lock(hashtext('carebase.signing_key'))`.execute(trx);
      if (onlyIfStale) {
        const fresh = await trx
          .selectFrom('signing_key')
          .select('kid')
          .where('retired_at', 'is', null)
          .where('created_at', '>', new Date(now() - options.rotationMs))
          .executeTakeFirst();
        if (fresh) return fresh.kid;
      }
      const { publicKey, privateKey } = await generateKeyPair(accessTokenAlg, { extractable: true });
      const newKid = `${new Date(now()).toISOString().slice(0, 10)}-${randomBytes(6).toString('base64url')}`;
      const publicJwk = { ...(await exportJWK(publicKey)), kid: newKid, alg: accessTokenAlg, use: 'sig' };
      const pem = await exportPKCS8(privateKey);
      await trx
        .insertInto('signing_key')
        .values({
          kid: newKid,
          alg: accessTokenAlg,
          public_jwk: JSON.stringify(publicJwk),
          private_key_sealed: seal(masterKey, Buffer.from(pem, 'utf8'), `signing_key:${newKid}`).toString(
            'base64',
          ),
          created_at: new Date(now()),
        })
        .execute();
      await trx
        .updateTable('signing_key')
        .set({ retired_at: new Date(now()) })
        .where('retired_at', 'is', null)
        .where('kid', '!=', newKid)
        .execute();
      // Long-retired keys can no longer verify anything: drop them.
      await trx
        .deleteFrom('signing_key')
        .where('retired_at', '<', new Date(now() - options.publishRetiredMs - 86_400_000))
        .execute();
      return newKid;
    });
    await reload();
    return kid;
  };

  return {
    async current() {
      await ensureFresh();
      let key = newest();
      if (!key || now() - key.createdAt > options.rotationMs) {
        await rotate(true);
        key = newest();
      }
      if (!key) throw new Error('No signing key available after rotation');
      let privateKey = privateKeys.get(key.kid);
      if (!privateKey) {
        const pem = open(
          masterKey,
          Buffer.from(key.sealedPrivateKey, 'base64'),
          `signing_key:${key.kid}`,
        ).toString('utf8');
        privateKey = await importPKCS8(pem, accessTokenAlg);
        privateKeys.set(key.kid, privateKey);
      }
      return { kid: key.kid, privateKey };
    },
    async verificationKey(kid) {
      await ensureFresh();
      let key = keys.get(kid);
      if (!key && now() - lastUnknownReload > unknownKidReloadMs) {
        lastUnknownReload = now();
        await reload();
        key = keys.get(kid);
      }
      return key?.publicKey;
    },
    async jwks() {
      await ensureFresh();
      return { keys: [...keys.values()].sort((a, b) => b.createdAt - a.createdAt).map((k) => k.publicJwk) };
    },
    rotate: () => rotate(false),
  };
}
