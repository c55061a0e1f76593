import { randomBytes } from 'node:crypto';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ListSigningKeysReply, PublicSigningKey, TOKEN_POLICY } from '@signoff/contracts';
import { exportJWK, generateKeyPair, importJWK, JWK } from 'jose';
import { DataSource, EntityManager, IsNull, Not } from 'typeorm';
import { AuthConfig } from '../config/auth.config';
import { SigningMaterial } from '../tokens/access-token';
import { SigningKey } from './signing-key.entity';
import { SigningKeySealer } from './signing-key-sealer';

/**
 * Serialises every change to the key table across replicas: the first key, rotations and
 * retirements. (The name predates rotation; replicas of the previous release take it too.)
 */
export const SIGNING_KEYS_LOCK = 'auth.signing_keys.create';

/** Longest a process trusts its copy of the key schedule before it reads it again. */
const MAX_SCHEDULE_CACHE_MS = 60_000;

/** A published key as the signer holds it: when it starts signing, and its private half. */
interface ScheduledKey {
  activatesAt: number;
  material: SigningMaterial;
}

/**
 * The access-token signing keys as the signer and the verifiers see them. The first start
 * creates an RSA-2048 pair (under an advisory lock, so two replicas create one between them);
 * tokens are signed with the newest key whose activation time has come; verifiers fetch every
 * key not retired, including one that does not sign yet (rotation: `SigningKeyRotation`).
 *
 * Each process reads the schedule (every published key with its activation time) at most
 * every half publish lead. A key rotated in by another replica is therefore known here before
 * it activates, so no replica goes on signing with the old key once the new one is due.
 */
@Injectable()
export class SigningKeysService implements OnModuleInit {
  private readonly logger = new Logger(SigningKeysService.name);
  private readonly cacheMs: number;
  private cached?: { loadedAt: number; schedule: Promise<ScheduledKey[]> };
  /** Imported private keys by kid: importing RSA keys every reload would be wasted work. */
  private readonly imported = new Map<string, Promise<SigningMaterial>>();

  constructor(
    private readonly dataSource: DataSource,
    config: AuthConfig,
    private readonly sealer: SigningKeySealer,
  ) {
    this.cacheMs = Math.min(MAX_SCHEDULE_CACHE_MS, (config.SIGNING_KEY_PUBLISH_LEAD_SECONDS * 1000) / 2);
  }

  async onModuleInit(): Promise<void> {
    await this.sealKeysStoredInClear();
    await this.activeKey();
  }

  /** Seals the private halves a release before sealing stored in clear (under the key-table lock). */
  async sealKeysStoredInClear(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1::text))', [SIGNING_KEYS_LOCK]);
      const clear = await manager.getRepository(SigningKey).find({ where: { privateJwk: Not(IsNull()) } });
      for (const key of clear) {
        await manager.getRepository(SigningKey).update({ kid: key.kid }, { sealedPrivateKey: this.sealer.seal(key.kid, key.privateJwk as JWK), privateJwk: null });
      }
      if (clear.length > 0) this.logger.log(`sealed ${clear.length} signing key(s) stored in clear`);
      return clear.length;
    });
  }

  /** The key to sign with now, or `at` (the first key is created on first use if the table is empty). */
  async activeKey(at?: number): Promise<SigningMaterial> {
    const schedule = await this.schedule();
    const now = at ?? Date.now();
    const active = schedule.find((key) => key.activatesAt <= now);
    // Only possible if the signing key was retired by hand: never sign with a key not yet due.
    if (!active) throw new Error('no signing key is active yet');
    return active.material;
  }

  /** Makes the next `activeKey()` read the table again (after this process changed it). */
  forget(): void {
    this.cached = undefined;
  }

  /** Public halves of every key a verifier may meet (not retired, active or not yet), newest first. */
  async list(): Promise<ListSigningKeysReply> {
    const rows = await this.dataSource.getRepository(SigningKey).find({ where: { retiredAt: IsNull() }, order: { createdAt: 'DESC', kid: 'ASC' } });
    return { keys: rows.map(toPublicKey) };
  }

  /** Creates the first key unless a published one exists. Safe to race. */
  async ensureFirstKey(): Promise<void> {
    if (await anyPublished(this.dataSource.manager)) return;
    await this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1::text))', [SIGNING_KEYS_LOCK]);
      if (await anyPublished(manager)) return;
      // Nobody can hold a token yet, so there is nothing to wait for: it signs at once. Its
      // activation is dated a minute back so that a replica whose clock lags ours does not
      // find it "not due yet".
      const now = new Date();
      const key = await newSigningKey({ createdAt: now, activatedAt: new Date(now.getTime() - 60_000) }, this.sealer);
      await manager.insert(SigningKey, key);
      this.logger.log(`created the first signing key kid=${key.kid}`);
    });
  }

  private schedule(): Promise<ScheduledKey[]> {
    // The clock is read before the query: the copy is as old as the moment it was asked for.
    const now = Date.now();
    if (!this.cached || now - this.cached.loadedAt > this.cacheMs) {
      const schedule = this.load();
      const entry = { loadedAt: now, schedule };
      this.cached = entry;
      // A failed load (database away) must not be cached.
      schedule.catch(() => {
        if (this.cached === entry) this.cached = undefined;
      });
    }
    return this.cached.schedule;
  }

  private async load(): Promise<ScheduledKey[]> {
    let rows = await this.published();
    if (rows.length === 0) {
      await this.ensureFirstKey();
      rows = await this.published();
    }
    const published = new Set(rows.map((row) => row.kid));
    for (const kid of this.imported.keys()) if (!published.has(kid)) this.imported.delete(kid);
    return Promise.all(rows.map(async (row) => ({ activatesAt: row.activatedAt.getTime(), material: await this.material(row) })));
  }

  /** Every key not retired, the one activating last first. */
  private published(): Promise<SigningKey[]> {
    return this.dataSource.getRepository(SigningKey).find({ where: { retiredAt: IsNull() }, order: { activatedAt: 'DESC', createdAt: 'DESC', kid: 'ASC' } });
  }

  private material(row: SigningKey): Promise<SigningMaterial> {
    let material = this.imported.get(row.kid);
    if (!material) {
      material = (async () => {
        const privateKey = await importJWK(this.sealer.privateJwk(row), TOKEN_POLICY.algorithm);
        if (privateKey instanceof Uint8Array) throw new Error(`signing key ${row.kid} is not an asymmetric key`);
        return { kid: row.kid, privateKey };
      })();
      this.imported.set(row.kid, material);
      material.catch(() => this.imported.delete(row.kid));
    }
    return material;
  }
}

/** A fresh RSA-2048 pair with a random kid, its private half sealed, not yet stored. */
export async function newSigningKey(times: { createdAt: Date; activatedAt: Date }, sealer: SigningKeySealer): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair(TOKEN_POLICY.algorithm, { extractable: true, modulusLength: 2048 });
  const kid = randomBytes(16).toString('base64url');
  return Object.assign(new SigningKey(), {
    kid,
    algorithm: TOKEN_POLICY.algorithm,
    publicJwk: await exportJWK(publicKey),
    privateJwk: null,
    sealedPrivateKey: sealer.seal(kid, await exportJWK(privateKey)),
    createdAt: times.createdAt,
    activatedAt: times.activatedAt,
    retiredAt: null,
  });
}

async function anyPublished(manager: EntityManager): Promise<boolean> {
  return (await manager.getRepository(SigningKey).count({ where: { retiredAt: IsNull() } })) > 0;
}

function toPublicKey(key: SigningKey): PublicSigningKey {
  // Only the public members, named one by one: nothing private can slip through a spread.
  return { kid: key.kid, alg: TOKEN_POLICY.algorithm, kty: 'RSA', use: 'sig', n: key.publicJwk.n, e: key.publicJwk.e };
}
