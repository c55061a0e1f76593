import { AsyncLocalStorage } from 'node:async_hooks';
import { EventMap } from '@signoff/contracts';
import { OutboxRelay, OutboxWriter } from '@signoff/messaging';
import { TransactionContext } from '@signoff/persistence';

interface Unit {
  wroteEvents: boolean;
}

/**
 * One transaction around a state change and the events it causes (DESIGN, invariant 5): the
 * outbox rows commit with the change or not at all. After a commit that wrote events the relay
 * is kicked, so they reach JetStream within milliseconds instead of at the next poll.
 */
export class UnitOfWork {
  private readonly units = new AsyncLocalStorage<Unit>();

  constructor(
    private readonly tx: TransactionContext,
    private readonly outbox: OutboxWriter,
    private readonly relay: OutboxRelay,
  ) {}

  /** Runs `work` in one transaction (or inside the one already open). */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.units.getStore()) return work();
    const unit: Unit = { wroteEvents: false };
    const result = await this.units.run(unit, () => this.tx.run(() => work()));
    // Only after the commit: kicking earlier could let the relay look before the rows are visible.
    if (unit.wroteEvents) this.relay.kick();
    return result;
  }

  /** Adds an event to the running unit's outbox; refuses outside a unit. */
  async emit<K extends keyof EventMap>(subject: K, payload: EventMap[K]): Promise<void> {
    const unit = this.units.getStore();
    if (!unit) throw new Error(`event ${subject} emitted outside a unit of work would not commit with its cause`);
    await this.outbox.add(subject, payload);
    unit.wroteEvents = true;
  }
}
