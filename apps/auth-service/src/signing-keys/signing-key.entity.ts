import type { JWK } from 'jose';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * An access-token signing key pair. The private half never leaves this table and this process.
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

  @Column('jsonb')
  privateJwk!: JWK;

  @Column('timestamptz', { default: () => 'now()' })
  createdAt!: Date;

  @Column('timestamptz', { default: () => 'now()' })
  activatedAt!: Date;

  @Column('timestamptz', { nullable: true })
  retiredAt!: Date | null;
}
