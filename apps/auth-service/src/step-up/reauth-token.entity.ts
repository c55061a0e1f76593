import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Proof of a fresh password re-entry, bound to one account and one session, usable once. */
@Entity({ name: 'reauth_tokens' })
export class ReauthToken {
  @PrimaryColumn('text')
  tokenHash!: string;

  @Column('uuid')
  accountId!: string;

  @Column('uuid')
  sessionId!: string;

  @Column('timestamptz')
  expiresAt!: Date;

  @Column('timestamptz', { nullable: true })
  usedAt!: Date | null;
}
