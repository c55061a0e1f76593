import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The registry's first schema: devices, their history, revocations and per-device progress,
 * and the ids of events already applied. Values in CHECK constraints are written out rather
 * than imported: a shipped migration must never change when the code's constants do.
 */
export class CreateRegistrySchema1763700000000 implements MigrationInterface {
  name = 'CreateRegistrySchema1763700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE devices.devices (
        account_id uuid NOT NULL,
        device_id text NOT NULL,
        type text NOT NULL,
        name text NOT NULL,
        os text NULL,
        app_version text NULL,
        session_id uuid NULL,
        signed_in_at timestamptz NOT NULL,
        last_active_at timestamptz NOT NULL,
        last_watched_at timestamptz NULL,
        last_watched_title_id text NULL,
        last_profile_id uuid NULL,
        last_ip inet NULL,
        country text NULL,
        region text NULL,
        city text NULL,
        signed_out_at timestamptz NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT devices_pk PRIMARY KEY (account_id, device_id)
      )`);
    await q.query(`CREATE INDEX devices_account_last_active_idx ON devices.devices (account_id, last_active_at DESC)`);

    await q.query(`
      CREATE TABLE devices.device_history (
        id bigserial PRIMARY KEY,
        account_id uuid NOT NULL,
        device_id text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('signed_in', 'signed_out', 'revocation', 'logged_out_on_reconnect', 'activity')),
        at timestamptz NOT NULL,
        session_id uuid NULL,
        revocation_id uuid NULL,
        detail text NULL
      )`);
    await q.query(`CREATE INDEX device_history_device_at_idx ON devices.device_history (account_id, device_id, at DESC)`);

    await q.query(`
      CREATE TABLE devices.revocations (
        revocation_id uuid PRIMARY KEY,
        account_id uuid NOT NULL,
        scope text NOT NULL CHECK (scope IN ('all_devices', 'device', 'session')),
        reason text NOT NULL,
        requested_at timestamptz NOT NULL,
        completed_at timestamptz NULL
      )`);

    await q.query(`
      CREATE TABLE devices.revocation_devices (
        revocation_id uuid NOT NULL,
        device_id text NOT NULL,
        account_id uuid NOT NULL,
        session_id uuid NOT NULL,
        state text NOT NULL CHECK (state IN ('pending', 'cut', 'acknowledged', 'logged_out_on_reconnect')),
        at timestamptz NOT NULL,
        CONSTRAINT revocation_devices_pk PRIMARY KEY (revocation_id, device_id)
      )`);
    // The device list asks "is a logout still pending for this device's session?" per row.
    await q.query(`
      CREATE INDEX revocation_devices_pending_idx ON devices.revocation_devices (account_id, device_id, session_id)
      WHERE state = 'pending'`);

    await q.query(`
      CREATE TABLE devices.processed_events (
        event_id uuid PRIMARY KEY,
        processed_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE devices.processed_events`);
    await q.query(`DROP TABLE devices.revocation_devices`);
    await q.query(`DROP TABLE devices.revocations`);
    await q.query(`DROP TABLE devices.device_history`);
    await q.query(`DROP TABLE devices.devices`);
  }
}
