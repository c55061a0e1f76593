import { randomUUID } from 'node:crypto';
import { Database, Table } from '../core/database';
import { RegistryHarness, startRegistryHarness } from '../testing/registry-test-harness';
import { ProcessedEvents } from './processed-events';
import { ProcessedEventsPruner } from './processed-events.pruner';

describe('device-registry: processed event ids are pruned past the streams\u2019 max age', () => {
  let h: RegistryHarness;

  beforeAll(async () => {
    h = await startRegistryHarness();
  });

  afterAll(async () => {
    await h?.close();
  });

  it('forgets only ids the broker can no longer redeliver', async () => {
    const db = h.app.get(Database);
    const [old, recent] = [randomUUID(), randomUUID()];
    await db.rows(`INSERT INTO ${Table.processedEvents} (event_id, processed_at) VALUES ($1, now() - interval '30 days'), ($2, now())`, [old, recent]);

    expect(await h.app.get(ProcessedEventsPruner).pruneNow()).toBeGreaterThanOrEqual(1);

    const left = await db.rows<{ event_id: string }>(`SELECT event_id FROM ${Table.processedEvents} WHERE event_id = ANY($1::uuid[])`, [[old, recent]]);
    expect(left.map((r) => r.event_id)).toEqual([recent]);
    // The recent id is still claimed: a redelivery of it is recognised.
    expect(await db.transaction(() => h.app.get(ProcessedEvents).claim([recent]))).toEqual(new Set());
  });
});
