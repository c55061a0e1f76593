import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Step-up by emailed code: one row per code mailed, bound to the account and the session that
 * asked, holding a hash of the code (never the code), the tries made, an expiry and `used_at`
 * (set when the code is accepted, replaced by a newer one or out of tries).
 */
export class StepUpEmailCodes1795615200000 implements MigrationInterface {
  name = 'StepUpEmailCodes1795615200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE auth.step_up_email_codes (
        id uuid PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES auth.accounts (id) ON DELETE CASCADE,
        session_id uuid NOT NULL REFERENCES auth.sessions (id) ON DELETE CASCADE,
        code_hash text NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz NULL
      )`);
    await queryRunner.query(`CREATE INDEX step_up_email_codes_session ON auth.step_up_email_codes (session_id, created_at DESC)`);
    await queryRunner.query(`CREATE INDEX step_up_email_codes_expires ON auth.step_up_email_codes (expires_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS auth.step_up_email_codes`);
  }
}
