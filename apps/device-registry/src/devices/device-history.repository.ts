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
    await this.db.rows(
      `INSERT INTO ${Table.deviceHistory} (account_id, device_id, kind, at, session_id, revocation_id, detail)
       VALUES ($1, $2, $3, $4::timestamptz, $5, $6, $7)`,
      [entry.accountId, entry.deviceId, entry.kind, entry.at, entry.sessionId ?? null, entry.revocationId ?? null, entry.detail ?? null],
    );
  }

  /** One revocation's entry for each listed device, in one statement. */
  async appendRevocation(input: { accountId: string; revocationId: string; at: string; reason: string; deviceIds: string[]; sessionIds: string[] }): Promise<void> {
    if (input.deviceIds.length === 0) return;
    await this.db.rows(
      `INSERT INTO ${Table.deviceHistory} (account_id, device_id, kind, at, session_id, revocation_id, detail)
       SELECT $1, p.device_id, 'revocation', $2::timestamptz, p.session_id, $3, $4
       FROM unnest($5::text[], $6::uuid[]) AS p(device_id, session_id)`,
      [input.accountId, input.at, input.revocationId, input.reason, input.deviceIds, input.sessionIds],
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
