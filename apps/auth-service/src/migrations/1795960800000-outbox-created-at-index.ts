import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox by age: the pruner deletes published rows past their retention oldest first, and
 * auth-service's record of recent revocations reads the rows of the last token lifetime.
 */
export class OutboxCreatedAtIndex1795960800000 implements MigrationInterface {
  name = 'OutboxCreatedAtIndex1795960800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX IF NOT EXISTS outbox_created_at_idx ON auth.outbox (created_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX IF EXISTS auth.outbox_created_at_idx`);
  }
}
