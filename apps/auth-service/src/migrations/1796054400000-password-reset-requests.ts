import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reset requests queued, answered, then worked through: the request does one INSERT whether or
 * not the email has an account, so its answer and its time tell nothing; the work that does
 * depend on it (the token, the mail) happens after the reply, in `PasswordResetRequests`.
 */
export class PasswordResetRequests1796054400000 implements MigrationInterface {
  name = 'PasswordResetRequests1796054400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE auth.password_reset_requests (
        id bigserial PRIMARY KEY,
        email text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS auth.password_reset_requests`);
  }
}
