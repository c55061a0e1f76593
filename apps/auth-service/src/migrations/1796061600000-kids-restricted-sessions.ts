import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A session that watches as a kids profile stays restricted until a step-up, whatever happens to
 * the profile: deleting the profile used to give its device the whole account at the next
 * refresh. Sessions on a kids profile now are marked.
 */
export class KidsRestrictedSessions1796061600000 implements MigrationInterface {
  name = 'KidsRestrictedSessions1796061600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE auth.sessions ADD COLUMN kids_restricted boolean NOT NULL DEFAULT false`);
    await queryRunner.query(
      `UPDATE auth.sessions s SET kids_restricted = true FROM auth.profiles p WHERE p.id = s.profile_id AND p.kids AND s.revoked_at IS NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE auth.sessions DROP COLUMN kids_restricted`);
  }
}
