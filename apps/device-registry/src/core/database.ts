import { TransactionContext } from '@signoff/persistence';
import { DataSource, QueryResult } from 'typeorm';
import { REGISTRY_SCHEMA } from '../migrations';

/** Fully qualified table names: statements are written by hand and never depend on search_path. */
export const Table = {
  devices: `${REGISTRY_SCHEMA}.devices`,
  deviceHistory: `${REGISTRY_SCHEMA}.device_history`,
  revocations: `${REGISTRY_SCHEMA}.revocations`,
  revocationDevices: `${REGISTRY_SCHEMA}.revocation_devices`,
  processedEvents: `${REGISTRY_SCHEMA}.processed_events`,
  downloadLicences: `${REGISTRY_SCHEMA}.download_licences`,
} as const;

/**
 * The registry's SQL access: hand-written statements (every write here is a conditional upsert
 * that an entity `save` cannot express), run inside the ambient transaction when one is open.
 */
export class Database {
  constructor(
    readonly dataSource: DataSource,
    private readonly tx: TransactionContext,
  ) {}

  /** Runs `work` in one transaction; statements issued through `rows` inside it join it. */
  transaction<T>(work: () => Promise<T>): Promise<T> {
    return this.tx.run(() => work());
  }

  /**
   * Rows of a statement (`RETURNING` rows for writes). Uses TypeORM's structured result, because
   * its plain `query()` answers `[rows, count]` for UPDATE and DELETE but `rows` for the rest.
   */
  async rows<T>(text: string, params: unknown[] = []): Promise<T[]> {
    const open = this.tx.manager.queryRunner;
    const runner = open ?? this.dataSource.createQueryRunner();
    try {
      const result: QueryResult<T> = await runner.query(text, params, true);
      return result.records ?? [];
    } finally {
      if (!open) await runner.release();
    }
  }

  async one<T>(text: string, params: unknown[] = []): Promise<T | undefined> {
    const [row] = await this.rows<T>(text, params);
    return row;
  }
}
