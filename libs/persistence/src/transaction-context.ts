import { AsyncLocalStorage } from 'node:async_hooks';
import { DataSource, EntityManager, EntityTarget, ObjectLiteral, Repository } from 'typeorm';

/**
 * An ambient transaction: code inside `run()` that asks for `manager` or `repo()` joins the
 * transaction without having it passed down, so an outbox row commits with the state change
 * that caused it or not at all.
 */
export class TransactionContext {
  private readonly storage = new AsyncLocalStorage<EntityManager>();

  constructor(readonly dataSource: DataSource) {}

  /** Runs `work` in a transaction, or inside the one already open. */
  async run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const open = this.storage.getStore();
    if (open) return work(open);
    return this.dataSource.transaction((manager) => this.storage.run(manager, () => work(manager)));
  }

  get manager(): EntityManager {
    return this.storage.getStore() ?? this.dataSource.manager;
  }

  get inTransaction(): boolean {
    return this.storage.getStore() !== undefined;
  }

  repo<E extends ObjectLiteral>(entity: EntityTarget<E>): Repository<E> {
    return this.manager.getRepository(entity);
  }
}
