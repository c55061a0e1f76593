import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sign-in alerts: `not_me_tokens` holds the SHA-256 of each "this wasn't me" token mailed with a
 * sign-in alert (never the token), bound to the account and the session the alert is about,
 * single use (`used_at`), with an expiry.
 */
export class SignInAlerts1795528800000 implements MigrationInterface {
  name = 'SignInAlerts1795528800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE auth.not_me_tokens (
        token_hash text PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES auth.accounts (id) ON DELETE CASCADE,
        session_id uuid NOT NULL REFERENCES auth.sessions (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz NULL
      )`);
    await queryRunner.query(`CREATE INDEX not_me_tokens_session ON auth.not_me_tokens (session_id)`);
    await queryRunner.query(`CREATE INDEX not_me_tokens_expires ON auth.not_me_tokens (expires_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS auth.not_me_tokens`);
  }
}
