import { Injectable } from '@nestjs/common';
import { DeviceHistoryEntry } from '@signoff/contracts';
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
  static readonly pageSize = 100;

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

  /** Newest first, at most one page. */
  async latest(accountId: string, deviceId: string): Promise<DeviceHistoryEntry[]> {
    const rows = await this.db.rows<HistoryRow>(
      `SELECT kind, at, session_id, revocation_id, detail FROM ${Table.deviceHistory}
       WHERE account_id = $1 AND device_id = $2
       ORDER BY at DESC, id DESC
       LIMIT ${DeviceHistoryRepository.pageSize}`,
      [accountId, deviceId],
    );
    return rows.map((r) => ({ kind: r.kind, at: r.at.toISOString(), sessionId: r.session_id, revocationId: r.revocation_id, detail: r.detail }));
  }
}
