import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Two-factor sign-in (TOTP). One row per account that started an enrolment: the secret is
 * stored encrypted (AES-256-GCM under an application key, never in plain text), `confirmed_at`
 * turns the requirement on, and `last_used_step` refuses a code a second time within its step.
 * Recovery codes are stored as keyed hashes, one row each, each usable once.
 */
export class TwoFactor1795356000000 implements MigrationInterface {
  name = 'TwoFactor1795356000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE auth.two_factor (
        account_id uuid PRIMARY KEY REFERENCES auth.accounts (id) ON DELETE CASCADE,
        secret_ciphertext text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        confirmed_at timestamptz NULL,
        last_used_step bigint NULL
      )`);

    await queryRunner.query(`
      CREATE TABLE auth.two_factor_recovery_codes (
        account_id uuid NOT NULL REFERENCES auth.two_factor (account_id) ON DELETE CASCADE,
        code_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        used_at timestamptz NULL,
        PRIMARY KEY (account_id, code_hash)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS auth.two_factor_recovery_codes`);
    await queryRunner.query(`DROP TABLE IF EXISTS auth.two_factor`);
  }
}
