import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { EventSubject, RotateSigningKeysReply, TOKEN_POLICY } from '@signoff/contracts';
import { TransactionContext } from '@signoff/persistence';
import { In, IsNull } from 'typeorm';
import { AuthConfig } from '../config/auth.config';
import { UnitOfWork } from '../outbox/unit-of-work';
import { SigningKey } from './signing-key.entity';
import { newSigningKey, SIGNING_KEYS_LOCK, SigningKeysService } from './signing-keys.service';
import { SigningKeySealer } from './signing-key-sealer';

const DAY_MS = 86_400_000;

type Trigger = 'on_demand' | 'scheduled';

/** What one locked look at the key table found and did. */
export interface KeyChange {
  /** Every key still published afterwards, the one activating last first. */
  published: SigningKey[];
  created?: SigningKey;
  retiredKids: string[];
  /** The database clock the decisions were taken on. */
  now: Date;
}

/**
 * Rotation of the access-token signing keys (SECURITY, promise 3: rotation with an overlap).
 *
 * - A rotation creates a key that is published at once and signs only from `activatedAt`,
 *   `SIGNING_KEY_PUBLISH_LEAD_SECONDS` later: every gateway holds it before the first token
 *   signed with it arrives, so no token meets a gateway with an unknown `kid`.
 * - A key that has been succeeded keeps being published until every token it can have signed
 *   has expired: its successor's activation + `ACCESS_TOKEN_TTL_SECONDS` + the clock tolerance.
 *   Then it is retired (no longer listed; gateways drop it at their next refresh).
 * - Rotations run every `SIGNING_KEY_ROTATION_DAYS` (timer on every replica) and on demand (RPC).
 *
 * Every change happens under one advisory lock, on the database clock, and writes
 * `security.keys.rotated.v1` to the outbox in the same transaction; gateways reload their keys
 * on it. With several replicas ticking at once, the first takes the due rotation and the others
 * find it done: one rotation per due time.
 */
@Injectable()
export class SigningKeyRotation {
  private readonly logger = new Logger(SigningKeyRotation.name);

  constructor(
    private readonly uow: UnitOfWork,
    private readonly tx: TransactionContext,
    private readonly keys: SigningKeysService,
    private readonly config: AuthConfig,
    private readonly sealer: SigningKeySealer,
  ) {}

  /**
   * Rotates now. While a rotated-in key is still waiting to sign, that key is the answer:
   * asking twice (two operators, a retry) rotates once.
   */
  async rotateNow(): Promise<RotateSigningKeysReply> {
    const change = await this.change('on_demand', (published, now) => !published.some((key) => key.activatedAt > now));
    const next = change.published[0];
    return { kid: next.kid, activatesAt: next.activatedAt.toISOString(), created: change.created !== undefined };
  }

  /** The timer's work: rotate if the newest key is due, retire keys whose tokens have all expired. */
  runSchedule(): Promise<KeyChange> {
    return this.change('scheduled', (published, now) => {
      // No key yet: the signer creates the first one when it first needs it.
      if (published.length === 0) return false;
      const newest = Math.max(...published.map((key) => key.createdAt.getTime()));
      return newest + this.config.SIGNING_KEY_ROTATION_DAYS * DAY_MS <= now.getTime();
    });
  }

  private async change(trigger: Trigger, wantsNewKey: (published: SigningKey[], now: Date) => boolean): Promise<KeyChange> {
    const change = await this.uow.run(async () => {
      const manager = this.tx.manager;
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1::text))', [SIGNING_KEYS_LOCK]);
      // Read after the lock: a replica that waited sees what the one before it committed.
      const [{ now }] = (await manager.query('SELECT clock_timestamp() AS now')) as Array<{ now: Date }>;
      const repository = manager.getRepository(SigningKey);
      const keys = await repository.find({ where: { retiredAt: IsNull() }, order: { activatedAt: 'DESC', createdAt: 'DESC', kid: 'ASC' } });

      const retiredKids = this.expired(keys, now).map((key) => key.kid);
      if (retiredKids.length > 0) await repository.update({ kid: In(retiredKids) }, { retiredAt: now });
      const published = keys.filter((key) => !retiredKids.includes(key.kid));

      let created: SigningKey | undefined;
      if (wantsNewKey(published, now)) {
        created = await newSigningKey({ createdAt: now, activatedAt: new Date(now.getTime() + this.config.SIGNING_KEY_PUBLISH_LEAD_SECONDS * 1000) }, this.sealer);
        await repository.insert(created);
        published.unshift(created);
      }
      if (created || retiredKids.length > 0) {
        const newest = published[0];
        await this.uow.emit(EventSubject.keysRotated, {
          eventId: randomUUID(),
          occurredAt: now.toISOString(),
          kid: newest.kid,
          activatesAt: newest.activatedAt.toISOString(),
          retiredKids,
        });
      }
      return { published, created, retiredKids, now };
    });
    if (change.created || change.retiredKids.length > 0) {
      // This process changed the schedule: its signer must not wait for its cache to age.
      this.keys.forget();
      const created = change.created ? `new kid=${change.created.kid} signs from ${change.created.activatedAt.toISOString()}` : 'no new key';
      this.logger.log(`signing keys changed (${trigger}): ${created}; retired [${change.retiredKids.join(', ')}]`);
    }
    return change;
  }

  /**
   * Keys every token of which has expired: those activated before the newest key that has been
   * signing for a whole token lifetime plus the clock tolerance. (A key stops signing when a
   * newer one activates; the signer caches its schedule for less than the publish lead, so no
   * replica signs with it afterwards.)
   */
  private expired(keys: SigningKey[], now: Date): SigningKey[] {
    const overlapMs = (this.config.ACCESS_TOKEN_TTL_SECONDS + TOKEN_POLICY.clockToleranceSeconds) * 1000;
    const settled = keys.find((key) => key.activatedAt.getTime() <= now.getTime() - overlapMs);
    if (!settled) return [];
    return keys.filter((key) => key.activatedAt < settled.activatedAt);
  }
}
