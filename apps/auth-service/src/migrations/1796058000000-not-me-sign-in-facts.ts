import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a sign-in alert told the holder, kept with its "this wasn't me" token so the page the link
 * opens can show the same facts once the device is signed out: the device's own name and OS, and
 * the sign-in's client address (placed again by GeoIP when shown). The type and the time are the
 * session's. Nullable: tokens mailed before this migration have none of them.
 */
export class NotMeSignInFacts1796058000000 implements MigrationInterface {
  name = 'NotMeSignInFacts1796058000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE auth.not_me_tokens
        ADD COLUMN IF NOT EXISTS device_name text NULL,
        ADD COLUMN IF NOT EXISTS device_os text NULL,
        ADD COLUMN IF NOT EXISTS ip text NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE auth.not_me_tokens DROP COLUMN IF EXISTS device_name, DROP COLUMN IF EXISTS device_os, DROP COLUMN IF EXISTS ip`);
  }
}
