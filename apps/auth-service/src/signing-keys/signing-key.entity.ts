import type { JWK } from 'jose';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * An access-token signing key pair. The private half never leaves this process, and is stored
 * sealed (`SigningKeySealer`): a copy of the table alone cannot sign.
 *
 * Life of a key: created and published at once (`createdAt`); signs from `activatedAt` (a
 * publish lead later, except the very first key) until a newer key activates; keeps verifying
 * until every token it signed has expired; then `retiredAt` is set and it is no longer published.
 */
@Entity({ name: 'signing_keys' })
export class SigningKey {
  @PrimaryColumn('text')
  kid!: string;

  @Column('text')
  algorithm!: string;

  @Column('jsonb')
  publicJwk!: JWK;

  /** Only in rows written before keys were sealed, until the next start seals them. */
  @Column('jsonb', { nullable: true })
  privateJwk!: JWK | null;

  @Column('text', { nullable: true })
  sealedPrivateKey!: string | null;

  @Column('timestamptz', { default: () => 'now()' })
  createdAt!: Date;

  @Column('timestamptz', { default: () => 'now()' })
  activatedAt!: Date;

  @Column('timestamptz', { nullable: true })
  retiredAt!: Date | null;
}
