import { randomBytes } from 'node:crypto';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ListSigningKeysReply, PublicSigningKey, TOKEN_POLICY } from '@signoff/contracts';
import { exportJWK, generateKeyPair, importJWK } from 'jose';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { SigningMaterial } from '../tokens/access-token';
import { SigningKey } from './signing-key.entity';

/** How long a process trusts its idea of the newest key before it looks again (rotation by another replica). */
const ACTIVE_KEY_CACHE_MS = 60_000;
/** Serialises first-key creation across replicas starting together. */
const KEY_CREATION_LOCK = 'auth.signing_keys.create';

/**
 * The access-token signing keys. The first start creates an RSA-2048 pair (under an advisory
 * lock, so two replicas create one between them); tokens are signed with the newest key that
 * is not retired; verifiers fetch every non-retired public key (rotation overlap).
 */
@Injectable()
export class SigningKeysService implements OnModuleInit {
  private readonly logger = new Logger(SigningKeysService.name);
  private cached?: { loadedAt: number; material: Promise<SigningMaterial> };

  constructor(private readonly dataSource: DataSource) {}

  async onModuleInit(): Promise<void> {
    await this.activeKey();
  }

  /** The key to sign with now (created on first use if the table is empty). */
  activeKey(): Promise<SigningMaterial> {
    if (!this.cached || Date.now() - this.cached.loadedAt > ACTIVE_KEY_CACHE_MS) {
      const material = this.loadOrCreate();
      const entry = { loadedAt: Date.now(), material };
      this.cached = entry;
      // A failed load (database away) must not be cached for a minute.
      material.catch(() => {
        if (this.cached === entry) this.cached = undefined;
      });
    }
    return this.cached.material;
  }

  /** Public halves of every key a verifier may meet, newest first. */
  async list(): Promise<ListSigningKeysReply> {
    const rows = await this.dataSource.getRepository(SigningKey).find({ where: { retiredAt: IsNull() }, order: { createdAt: 'DESC' } });
    return { keys: rows.map(toPublicKey) };
  }

  /** Creates the first key unless one exists; returns the newest active key. Safe to race. */
  async ensureActiveKey(): Promise<SigningKey> {
    const existing = await newestActive(this.dataSource.manager);
    if (existing) return existing;
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1::text))', [KEY_CREATION_LOCK]);
      const created = await newestActive(manager);
      if (created) return created;
      const { publicKey, privateKey } = await generateKeyPair(TOKEN_POLICY.algorithm, { extractable: true, modulusLength: 2048 });
      const key = manager.create(SigningKey, {
        kid: randomBytes(16).toString('base64url'),
        algorithm: TOKEN_POLICY.algorithm,
        publicJwk: await exportJWK(publicKey),
        privateJwk: await exportJWK(privateKey),
        createdAt: new Date(),
        retiredAt: null,
      });
      await manager.insert(SigningKey, key);
      this.logger.log(`created signing key kid=${key.kid}`);
      return key;
    });
  }

  private async loadOrCreate(): Promise<SigningMaterial> {
    const key = await this.ensureActiveKey();
    const privateKey = await importJWK(key.privateJwk, TOKEN_POLICY.algorithm);
    if (privateKey instanceof Uint8Array) throw new Error(`signing key ${key.kid} is not an asymmetric key`);
    return { kid: key.kid, privateKey };
  }
}

function newestActive(manager: EntityManager): Promise<SigningKey | null> {
  return manager.getRepository(SigningKey).findOne({ where: { retiredAt: IsNull() }, order: { createdAt: 'DESC', kid: 'ASC' } });
}

function toPublicKey(key: SigningKey): PublicSigningKey {
  // Only the public members, named one by one: nothing private can slip through a spread.
  return { kid: key.kid, alg: TOKEN_POLICY.algorithm, kty: 'RSA', use: 'sig', n: key.publicJwk.n, e: key.publicJwk.e };
}
