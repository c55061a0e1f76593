import { EventMap } from '@signoff/contracts';
import { TransactionContext } from '@signoff/persistence';
import { OutboxMessage } from './outbox-message.entity';

/** Adds events to the outbox inside the caller's transaction (and refuses to outside one). */
export class OutboxWriter {
  constructor(private readonly tx: TransactionContext) {}

  async add<K extends keyof EventMap>(subject: K, payload: EventMap[K]): Promise<void> {
    if (!this.tx.inTransaction) {
      throw new Error(`outbox write of ${subject} outside a transaction would not be atomic with its cause`);
    }
    const plain = JSON.parse(JSON.stringify(payload)) as Record<string, unknown> & { eventId: string };
    await this.tx.manager
      .createQueryBuilder()
      .insert()
      .into(OutboxMessage)
      .values({ eventId: plain.eventId, subject, payload: () => ':payload' })
      .setParameter('payload', JSON.stringify(plain))
      .updateEntity(false)
      .execute();
  }
}
