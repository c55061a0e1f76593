import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Device history may say that a device signed in from another place than before
 * (`location_changed`, detail "Lisbon, PT → Porto, PT"). The kind list is written out, as in
 * the first migration, so this file never changes when the code's union does.
 */
export class LocationChangedHistory1795701600000 implements MigrationInterface {
  name = 'LocationChangedHistory1795701600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE devices.device_history DROP CONSTRAINT device_history_kind_check`);
    await q.query(`
      ALTER TABLE devices.device_history ADD CONSTRAINT device_history_kind_check
      CHECK (kind IN ('signed_in', 'signed_out', 'revocation', 'logged_out_on_reconnect', 'activity', 'location_changed'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM devices.device_history WHERE kind = 'location_changed'`);
    await q.query(`ALTER TABLE devices.device_history DROP CONSTRAINT device_history_kind_check`);
    await q.query(`
      ALTER TABLE devices.device_history ADD CONSTRAINT device_history_kind_check
      CHECK (kind IN ('signed_in', 'signed_out', 'revocation', 'logged_out_on_reconnect', 'activity'))`);
  }
}
