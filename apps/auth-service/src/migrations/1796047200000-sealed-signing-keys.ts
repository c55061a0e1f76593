import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Private halves of signing keys sealed at rest (AES-256-GCM under `SIGNING_KEY_ENCRYPTION_KEY`,
 * bound to the kid). Rows written in clear before are sealed by the service at its next start
 * (`SigningKeysService`), which holds the key; a migration does not.
 */
export class SealedSigningKeys1796047200000 implements MigrationInterface {
  name = 'SealedSigningKeys1796047200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE auth.signing_keys ADD COLUMN sealed_private_key text`);
    await queryRunner.query(`ALTER TABLE auth.signing_keys ALTER COLUMN private_jwk DROP NOT NULL`);
    await queryRunner.query(
      `ALTER TABLE auth.signing_keys ADD CONSTRAINT signing_keys_private_half CHECK (private_jwk IS NOT NULL OR sealed_private_key IS NOT NULL)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE auth.signing_keys DROP CONSTRAINT signing_keys_private_half`);
    await queryRunner.query(`ALTER TABLE auth.signing_keys DROP COLUMN sealed_private_key`);
  }
}
