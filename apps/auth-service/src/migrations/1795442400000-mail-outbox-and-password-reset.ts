import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Email through an outbox, and password reset.
 *
 * `mail_outbox`: one row per mail, written in the transaction that causes it; the mail relay
 * sends due rows (`next_attempt_at`), retries with backoff, and ends each row either `sent_at`
 * or `failed_at` (after `MAIL_MAX_ATTEMPTS`), with the last error kept for the operator.
 *
 * `password_reset_tokens`: SHA-256 of each emailed token (never the token), single use, with an
 * expiry; issuing a new one marks the account's earlier unused ones used.
 */
export class MailOutboxAndPasswordReset1795442400000 implements MigrationInterface {
  name = 'MailOutboxAndPasswordReset1795442400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE auth.mail_outbox (
        id bigserial PRIMARY KEY,
        "to" text NOT NULL,
        subject text NOT NULL,
        text text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        attempts int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz NULL,
        failed_at timestamptz NULL,
        last_error text NULL
      )`);
    await queryRunner.query(`CREATE INDEX mail_outbox_due ON auth.mail_outbox (next_attempt_at, id) WHERE sent_at IS NULL AND failed_at IS NULL`);
    await queryRunner.query(`CREATE INDEX mail_outbox_failed ON auth.mail_outbox (failed_at) WHERE failed_at IS NOT NULL`);

    await queryRunner.query(`
      CREATE TABLE auth.password_reset_tokens (
        token_hash text PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES auth.accounts (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz NULL
      )`);
    await queryRunner.query(`CREATE INDEX password_reset_tokens_unused ON auth.password_reset_tokens (account_id) WHERE used_at IS NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS auth.password_reset_tokens`);
    await queryRunner.query(`DROP TABLE IF EXISTS auth.mail_outbox`);
  }
}
