import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Download licences: one row per title downloaded on a device, bound to the session that
 * downloaded it. Revoked (never deleted) when its session is signed out or the device deletes the
 * download, so the account page can show what a sign-out removed.
 */
export class DownloadLicences1795788000000 implements MigrationInterface {
  name = 'DownloadLicences1795788000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE devices.download_licences (
        licence_id uuid PRIMARY KEY,
        account_id uuid NOT NULL,
        device_id text NOT NULL,
        session_id uuid NOT NULL,
        title_id text NOT NULL,
        issued_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz NULL,
        revoked_reason text NULL,
        revocation_id uuid NULL
      )`);
    await q.query(`CREATE INDEX download_licences_device_idx ON devices.download_licences (account_id, device_id, issued_at DESC)`);
    await q.query(`CREATE INDEX download_licences_live_session_idx ON devices.download_licences (session_id) WHERE revoked_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE devices.download_licences`);
  }
}
