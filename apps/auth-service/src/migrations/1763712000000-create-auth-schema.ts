import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The first auth schema. Table names are spelled out with their schema (TypeORM sets no
 * `search_path`), and a migration is history: it never follows later renames of a constant.
 */
export class CreateAuthSchema1763712000000 implements MigrationInterface {
  name = 'CreateAuthSchema1763712000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE auth.accounts (
        id uuid PRIMARY KEY,
        email text NOT NULL,
        password_hash text NOT NULL,
        plan text NOT NULL CHECK (plan IN ('basic', 'standard', 'premium')),
        epoch integer NOT NULL DEFAULT 1 CHECK (epoch >= 1),
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT accounts_email_key UNIQUE (email)
      )`);

    await queryRunner.query(`
      CREATE TABLE auth.profiles (
        id uuid PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES auth.accounts (id) ON DELETE CASCADE,
        name text NOT NULL,
        kids boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX profiles_account_id_idx ON auth.profiles (account_id)`);

    await queryRunner.query(`
      CREATE TABLE auth.revocations (
        id uuid PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES auth.accounts (id) ON DELETE CASCADE,
        scope text NOT NULL CHECK (scope IN ('all_devices', 'device', 'session')),
        reason text NOT NULL,
        requested_by_session_id uuid NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX revocations_account_id_idx ON auth.revocations (account_id)`);

    await queryRunner.query(`
      CREATE TABLE auth.sessions (
        id uuid PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES auth.accounts (id) ON DELETE CASCADE,
        device_id text NOT NULL,
        device_type text NOT NULL,
        profile_id uuid NULL REFERENCES auth.profiles (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz NOT NULL,
        idle_expires_at timestamptz NOT NULL,
        absolute_expires_at timestamptz NOT NULL,
        revoked_at timestamptz NULL,
        revocation_id uuid NULL REFERENCES auth.revocations (id),
        revoke_reason text NULL,
        CONSTRAINT sessions_revocation_complete CHECK ((revoked_at IS NULL) = (revocation_id IS NULL))
      )`);
    // One live session per device and account: a second sign-in on a device replaces the first.
    await queryRunner.query(`CREATE UNIQUE INDEX sessions_live_device_key ON auth.sessions (account_id, device_id) WHERE revoked_at IS NULL`);
    await queryRunner.query(`CREATE INDEX sessions_account_id_idx ON auth.sessions (account_id)`);

    await queryRunner.query(`
      CREATE TABLE auth.refresh_tokens (
        id uuid PRIMARY KEY,
        session_id uuid NOT NULL REFERENCES auth.sessions (id) ON DELETE CASCADE,
        token_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        superseded_at timestamptz NULL,
        CONSTRAINT refresh_tokens_token_hash_key UNIQUE (token_hash)
      )`);
    await queryRunner.query(`CREATE INDEX refresh_tokens_session_id_idx ON auth.refresh_tokens (session_id)`);

    await queryRunner.query(`
      CREATE TABLE auth.reauth_tokens (
        token_hash text PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES auth.accounts (id) ON DELETE CASCADE,
        session_id uuid NOT NULL REFERENCES auth.sessions (id) ON DELETE CASCADE,
        expires_at timestamptz NOT NULL,
        used_at timestamptz NULL
      )`);

    await queryRunner.query(`
      CREATE TABLE auth.signing_keys (
        kid text PRIMARY KEY,
        algorithm text NOT NULL,
        public_jwk jsonb NOT NULL,
        private_jwk jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        retired_at timestamptz NULL
      )`);

    await queryRunner.query(`
      CREATE TABLE auth.outbox (
        id bigserial PRIMARY KEY,
        event_id uuid NOT NULL,
        subject text NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz NULL,
        attempts integer NOT NULL DEFAULT 0,
        last_error text NULL,
        CONSTRAINT outbox_event_id_key UNIQUE (event_id)
      )`);
    // The relay only ever looks for what is still waiting.
    await queryRunner.query(`CREATE INDEX outbox_unpublished_idx ON auth.outbox (id) WHERE published_at IS NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['outbox', 'signing_keys', 'reauth_tokens', 'refresh_tokens', 'sessions', 'revocations', 'profiles', 'accounts']) {
      await queryRunner.query(`DROP TABLE IF EXISTS auth.${table}`);
    }
  }
}
