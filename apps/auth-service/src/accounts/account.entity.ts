import { Plan } from '@signoff/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One streaming account: credentials, plan and the session epoch that "sign out everywhere" bumps. */
@Entity({ name: 'accounts' })
export class Account {
  @PrimaryColumn('uuid')
  id!: string;

  /** Trimmed and lower-cased; unique. */
  @Column('text')
  email!: string;

  /** argon2id PHC string. Never logged, never leaves the service. */
  @Column('text')
  passwordHash!: string;

  @Column('text')
  plan!: Plan;

  /** Access tokens carrying an older epoch are dead (DESIGN, invariant 2). */
  @Column('int', { default: 1 })
  epoch!: number;

  @Column('timestamptz', { default: () => 'now()' })
  createdAt!: Date;
}
