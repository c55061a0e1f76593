import { Injectable } from '@nestjs/common';
import { DeviceHistoryEntry, HISTORY_PAGE, SignoffError } from '@signoff/contracts';
import { Database, Table } from '../core/database';

export type HistoryKind = DeviceHistoryEntry['kind'];

export interface NewHistoryEntry {
  accountId: string;
  deviceId: string;
  kind: HistoryKind;
  at: string;
  sessionId?: string | null;
  revocationId?: string | null;
  detail?: string | null;
}

interface HistoryRow {
  kind: HistoryKind;
  at: Date;
  session_id: string | null;
  revocation_id: string | null;
  detail: string | null;
}

/** The per-device timeline (sign-ins, revocations, reconnect logouts, watched titles). */
@Injectable()
export class DeviceHistoryRepository {
  constructor(private readonly db: Database) {}

  async append(entry: NewHistoryEntry): Promise<void> {
    await this.appendMany([entry]);
  }

  /** Entries in one statement, stored in the order given (which orders entries of equal time). */
  async appendMany(entries: readonly NewHistoryEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.db.rows(
      `INSERT INTO ${Table.deviceHistory} (account_id, device_id, kind, at, session_id, revocation_id, detail)
       SELECT e.account_id, e.device_id, e.kind, e.at, e.session_id, e.revocation_id, e.detail
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::uuid[], $6::uuid[], $7::text[])
         WITH ORDINALITY AS e(account_id, device_id, kind, at, session_id, revocation_id, detail, n)
       ORDER BY e.n`,
      [
        entries.map((e) => e.accountId),
        entries.map((e) => e.deviceId),
        entries.map((e) => e.kind),
        entries.map((e) => e.at),
        entries.map((e) => e.sessionId ?? null),
        entries.map((e) => e.revocationId ?? null),
        entries.map((e) => e.detail ?? null),
      ],
    );
  }

  /**
   * One page, newest first: a device's entries, or (no `deviceId`) every device's of the account
   * with the device's name. Keyset pagination on (at, id): a page never repeats or skips an entry,
   * whatever is appended meanwhile.
   */
  async page(
    accountId: string,
    deviceId: string | null,
    options: { cursor?: string; limit?: number },
  ): Promise<{ entries: Array<DeviceHistoryEntry & { deviceId: string; deviceName: string }>; nextCursor: string | null }> {
    const limit = options.limit ?? HISTORY_PAGE.defaultLimit;
    const after = options.cursor === undefined ? null : decodeCursor(options.cursor);
    const rows = await this.db.rows<HistoryRow & { id: string; at_us: string; device_id: string; device_name: string | null }>(
      `SELECT h.id, (extract(epoch FROM h.at) * 1000000)::bigint AS at_us, h.device_id, d.name AS device_name, h.kind, h.at, h.session_id, h.revocation_id, h.detail
         FROM ${Table.deviceHistory} h
         LEFT JOIN ${Table.devices} d ON d.account_id = h.account_id AND d.device_id = h.device_id
        WHERE h.account_id = $1 AND ($2::text IS NULL OR h.device_id = $2)
          AND ($3::bigint IS NULL OR (h.at, h.id) < (to_timestamp($3::bigint / 1000000.0), $4::bigint))
        ORDER BY h.at DESC, h.id DESC
        LIMIT $5`,
      [accountId, deviceId, after?.atMicros ?? null, after?.id ?? null, limit + 1],
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      entries: page.map((r) => ({
        deviceId: r.device_id,
        deviceName: r.device_name ?? r.device_id,
        kind: r.kind,
        at: r.at.toISOString(),
        sessionId: r.session_id,
        revocationId: r.revocation_id,
        detail: r.detail,
      })),
      nextCursor: rows.length > limit && last ? encodeCursor(last.at_us, last.id) : null,
    };
  }

  /** Deletes entries older than `before`, at most `batch` of them; how many went. */
  async prune(before: Date, batch: number): Promise<number> {
    const rows = await this.db.rows(
      `DELETE FROM ${Table.deviceHistory} WHERE id IN (SELECT id FROM ${Table.deviceHistory} WHERE at < $1 ORDER BY id LIMIT $2) RETURNING id`,
      [before, batch],
    );
    return rows.length;
  }
}

/** `<at in µs since the epoch>|<id>` in base64url: opaque to clients, exact to Postgres's microsecond. */
function encodeCursor(atMicros: string, id: string): string {
  return Buffer.from(`${atMicros}|${id}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): { atMicros: string; id: string } {
  const [atMicros, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!atMicros || !id || !/^-?\d{1,19}$/.test(atMicros) || !/^\d{1,19}$/.test(id)) {
    throw new SignoffError('VALIDATION_FAILED', 'cursor is not a nextCursor from an earlier page', { fields: ['cursor'] });
  }
  return { atMicros, id };
}
