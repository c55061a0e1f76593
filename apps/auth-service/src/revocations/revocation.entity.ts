import { RevocationReason, RevocationScope } from '@signoff/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One sign-out decision; its id travels in the event, the logout directive and the progress page. */
@Entity({ name: 'revocations' })
export class Revocation {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid')
  accountId!: string;

  @Column('text')
  scope!: RevocationScope;

  @Column('text')
  reason!: RevocationReason;

  @Column('uuid', { nullable: true })
  requestedBySessionId!: string | null;

  @Column('timestamptz')
  createdAt!: Date;
}
