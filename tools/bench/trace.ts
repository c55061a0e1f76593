import { Client } from 'pg';
import { performance } from 'node:perf_hooks';

/** What auth-service's own tables say about one revocation, on this process's `performance.now()` clock. */
export interface AuthTrace {
  /** `now()` of the revoke transaction: when it got a pooled connection and began. */
  txStartedAt: number;
  /** The revocation row's time, stamped in the transaction just before its event and commit. */
  recordedAt: number;
  /** `now()` of the outbox relay transaction that published the event. */
  relayStartedAt?: number;
}

/**
 * Reads the auth schema once the revocations are done (best effort: a diagnostic that must not
 * fail the benchmark if the schema changes), to split "revoke call → event on NATS" into
 * waiting for a database connection, the transaction itself, and waiting for the outbox relay.
 * Postgres and Node read the same wall clock here; `performance.timeOrigin` maps it.
 */
export async function readAuthTraces(databaseUrl: string): Promise<{ traces: Map<string, AuthTrace>; error?: string }> {
  const traces = new Map<string, AuthTrace>();
  const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000, statement_timeout: 10_000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ revocation_id: string; tx_started: string; recorded: string; relay_started: string | null }>(
      `SELECT o.payload->>'revocationId' AS revocation_id,
              extract(epoch FROM o.created_at) * 1000 AS tx_started,
              extract(epoch FROM r.created_at) * 1000 AS recorded,
              extract(epoch FROM o.published_at) * 1000 AS relay_started
         FROM auth.outbox o JOIN auth.revocations r ON r.id::text = o.payload->>'revocationId'
        WHERE o.subject LIKE '%account.epoch_bumped.v1'`,
    );
    const local = (epochMs: string) => Number(epochMs) - performance.timeOrigin;
    for (const row of rows) {
      traces.set(row.revocation_id, {
        txStartedAt: local(row.tx_started),
        recordedAt: local(row.recorded),
        relayStartedAt: row.relay_started === null ? undefined : local(row.relay_started),
      });
    }
    return { traces };
  } catch (error) {
    return { traces, error: error instanceof Error ? error.message : String(error) };
  } finally {
    await client.end().catch(() => undefined);
  }
}
