import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Signing keys get an activation time: a rotated-in key is published at once but signs only
 * from `activated_at` (a publish lead later), so every verifier holds it before the first token
 * signed with it. Keys that exist already have been signing since they were created.
 *
 * The default (`now()`) keeps a replica of the previous release working during a rolling
 * deploy: it only ever inserts the very first key, which is active at once.
 */
export class SigningKeyActivation1795269600000 implements MigrationInterface {
  name = 'SigningKeyActivation1795269600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE auth.signing_keys ADD COLUMN activated_at timestamptz NULL`);
    await queryRunner.query(`UPDATE auth.signing_keys SET activated_at = created_at`);
    await queryRunner.query(`ALTER TABLE auth.signing_keys ALTER COLUMN activated_at SET NOT NULL, ALTER COLUMN activated_at SET DEFAULT now()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE auth.signing_keys DROP COLUMN activated_at`);
  }
}
