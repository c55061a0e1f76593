import { MigrationInterface, QueryRunner } from 'typeorm';

/** Indexes for the account-wide history page (newest first, keyset) and for the retention pruner. */
export class HistoryIndexes1795874400000 implements MigrationInterface {
  name = 'HistoryIndexes1795874400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX device_history_account_at_idx ON devices.device_history (account_id, at DESC, id DESC)`);
    await q.query(`CREATE INDEX device_history_at_idx ON devices.device_history (at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX devices.device_history_at_idx`);
    await q.query(`DROP INDEX devices.device_history_account_at_idx`);
  }
}
