import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** An event waiting to reach JetStream, written in the same transaction as its cause. */
@Entity({ name: 'outbox' })
export class OutboxMessage {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column('uuid', { unique: true })
  eventId!: string;

  @Column('text')
  subject!: string;

  @Column('jsonb')
  payload!: Record<string, unknown>;

  @Column('timestamptz', { default: () => 'now()' })
  createdAt!: Date;

  @Column('timestamptz', { nullable: true })
  publishedAt!: Date | null;

  @Column('int', { default: 0 })
  attempts!: number;

  @Column('text', { nullable: true })
  lastError!: string | null;
}
