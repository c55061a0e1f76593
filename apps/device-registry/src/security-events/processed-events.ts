import { Injectable } from '@nestjs/common';
import { Database, Table } from '../core/database';

/** Ids of events already applied. Claimed in the transaction of the events' effect. */
@Injectable()
export class ProcessedEvents {
  constructor(private readonly db: Database) {}

  /**
   * The ids (lower case) of these events that were not applied before, and now count as applied
   * if the surrounding transaction commits; one statement for all. A concurrent claim of the same
   * id waits for ours, then does not get it. Ids are claimed in sorted order, so two claims of
   * overlapping sets (two replicas after a redelivery) cannot deadlock.
   */
  async claim(eventIds: readonly string[]): Promise<Set<string>> {
    if (eventIds.length === 0) return new Set();
    const inserted = await this.db.rows<{ event_id: string }>(
      `INSERT INTO ${Table.processedEvents} (event_id)
       SELECT DISTINCT id FROM unnest($1::uuid[]) AS t(id) ORDER BY id
       ON CONFLICT (event_id) DO NOTHING
       RETURNING event_id`,
      [eventIds],
    );
    return new Set(inserted.map((r) => r.event_id.toLowerCase()));
  }

  /**
   * Forgets ids older than `before`. Safe once `before` is older than the streams' max age: the
   * broker no longer holds those events, so it can never deliver them again.
   */
  async prune(before: Date): Promise<number> {
    const removed = await this.db.rows<{ event_id: string }>(
      `DELETE FROM ${Table.processedEvents} WHERE processed_at < $1::timestamptz RETURNING event_id`,
      [before.toISOString()],
    );
    return removed.length;
  }
}
