import { RevocationReason } from '@signoff/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One signed-in device. The row is the lock that refresh and revoke serialise on (DESIGN,
 * invariant 1): both take it `FOR UPDATE` before deciding anything.
 */
@Entity({ name: 'sessions' })
export class Session {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid')
  accountId!: string;

  @Column('text')
  deviceId!: string;

  @Column('text')
  deviceType!: string;

  @Column('uuid', { nullable: true })
  profileId!: string | null;

  /**
   * Set when the session picks a kids profile; cleared only by leaving it for a grown-up profile
   * with a step-up. Its tokens say `kids: true` meanwhile, with or without a profile (deleting the
   * kids profile does not hand the device the account).
   */
  @Column('boolean', { default: false })
  kidsRestricted!: boolean;

  @Column('timestamptz')
  createdAt!: Date;

  @Column('timestamptz')
  lastUsedAt!: Date;

  /** Sliding: each refresh moves it, never past `absoluteExpiresAt`. */
  @Column('timestamptz')
  idleExpiresAt!: Date;

  @Column('timestamptz')
  absoluteExpiresAt!: Date;

  @Column('timestamptz', { nullable: true })
  revokedAt!: Date | null;

  @Column('uuid', { nullable: true })
  revocationId!: string | null;

  @Column('text', { nullable: true })
  revokeReason!: RevocationReason | null;
}
