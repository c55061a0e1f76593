import type { JWK } from 'jose';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An access-token signing key pair. The private half never leaves this table and this process. */
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

  @Column('timestamptz', { nullable: true })
  retiredAt!: Date | null;
}
