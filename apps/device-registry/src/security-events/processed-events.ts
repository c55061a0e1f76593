import { Injectable } from '@nestjs/common';
import { Database, Table } from '../core/database';

/** Ids of events already applied. Claimed in the transaction of the event's effect. */
@Injectable()
export class ProcessedEvents {
  constructor(private readonly db: Database) {}

  /**
   * True if this event was not applied before (and now counts as applied, if the surrounding
   * transaction commits). A concurrent claim of the same id waits for ours, then gets false.
   */
  async claim(eventId: string): Promise<boolean> {
    const inserted = await this.db.rows(
      `INSERT INTO ${Table.processedEvents} (event_id) VALUES ($1) ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
      [eventId],
    );
    return inserted.length > 0;
  }
}
