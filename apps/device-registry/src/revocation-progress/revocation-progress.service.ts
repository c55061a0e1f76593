import { Injectable, Logger } from '@nestjs/common';
import {
  AccountEpochBumpedV1,
  DeviceProgressItem,
  EventSubject,
  GetRevocationProgressRequest,
  ProgressState,
  RevocationProgressReply,
  RevocationScope,
  SessionRevokedV1,
} from '@signoff/contracts';
import { Database, Table } from '../core/database';
import { DeviceHistoryRepository } from '../devices/device-history.repository';
import { DevicesService } from '../devices/devices.service';
import { DownloadsService } from '../downloads/downloads.service';
import { progressRankSql, revocationScope, strongestReport } from './progress-precedence';
import { revocationNotFound } from './revocation-progress.errors';

export type RevocationEventSubject = typeof EventSubject.sessionRevoked | typeof EventSubject.accountEpochBumped;

/** One revocation event, for `recordRevocations`. */
export interface RevocationRecord {
  subject: RevocationEventSubject;
  event: SessionRevokedV1 | AccountEpochBumpedV1;
}

/** One gateway report, for `recordProgress`: the event and the state it reports. */
export interface ProgressReport {
  /** One device's report (progress messages carry many; see the handler). */
  event: DeviceProgressItem;
  state: ProgressState;
}

interface RevocationRow {
  revocation_id: string;
  scope: RevocationScope;
  requested_at: Date;
  completed_at: Date | null;
}

interface ProgressRow {
  device_id: string;
  name: string;
  state: ProgressState;
  at: Date;
}

/**
 * Device-by-device progress of every revocation. Writes run inside the caller's transaction (the
 * event handler's, which also records the event ids), so each event is applied exactly once. They
 * take whole batches of events and use a fixed number of statements per batch, whatever its size.
 */
@Injectable()
export class RevocationProgressService {
  private readonly logger = new Logger(RevocationProgressService.name);

  constructor(
    private readonly db: Database,
    private readonly devices: DevicesService,
    private readonly history: DeviceHistoryRepository,
    private readonly downloads: DownloadsService,
  ) {}

  async get(request: GetRevocationProgressRequest): Promise<RevocationProgressReply> {
    const revocation = await this.db.one<RevocationRow>(
      `SELECT revocation_id, scope, requested_at, completed_at FROM ${Table.revocations}
       WHERE revocation_id = $1 AND account_id = $2`,
      [request.revocationId, request.accountId],
    );
    if (!revocation) throw revocationNotFound();
    const devices = await this.db.rows<ProgressRow>(
      `SELECT rd.device_id, COALESCE(d.name, rd.device_id) AS name, rd.state, rd.at
       FROM ${Table.revocationDevices} rd
       LEFT JOIN ${Table.devices} d ON d.account_id = rd.account_id AND d.device_id = rd.device_id
       WHERE rd.revocation_id = $1 AND rd.account_id = $2
       ORDER BY lower(COALESCE(d.name, rd.device_id)), rd.device_id`,
      [request.revocationId, request.accountId],
    );
    return {
      revocationId: revocation.revocation_id,
      scope: revocation.scope,
      requestedAt: revocation.requested_at.toISOString(),
      completedAt: revocation.completed_at?.toISOString() ?? null,
      devices: devices.map((r) => ({ deviceId: r.device_id, name: r.name, state: r.state, at: r.at.toISOString() })),
    };
  }

  /**
   * Revocation events, applied as one after the other would be, in a few statements for all: every
   * listed device starts `pending` unless a gateway already reported it (a `cut` may overtake the
   * revocation event, the streams being separate), and is marked signed out if it still runs the
   * revoked session (its download licences are revoked with it). An event whose revocation id
   * belongs to another account is ignored.
   */
  async recordRevocations(records: readonly RevocationRecord[]): Promise<void> {
    if (records.length === 0) return;
    // Of two events with one revocation id, the first one creates it (and so decides its owner).
    const creating = firstBy(records, (r) => uuidKey(r.event.revocationId));
    await this.db.rows(
      `INSERT INTO ${Table.revocations} (revocation_id, account_id, scope, reason, requested_at)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::timestamptz[]) AS r(revocation_id, account_id, scope, reason, requested_at)
       ORDER BY revocation_id
       ON CONFLICT (revocation_id) DO NOTHING`,
      [
        creating.map((r) => r.event.revocationId),
        creating.map((r) => r.event.accountId),
        creating.map((r) => r.event.scope ?? revocationScope(r.subject, r.event.reason)),
        creating.map((r) => r.event.reason),
        creating.map((r) => r.event.occurredAt),
      ],
    );
    const owners = await this.owners(creating.map((r) => r.event.revocationId));
    const accepted = records.filter(({ subject, event }) => {
      if (owners.get(uuidKey(event.revocationId)) === uuidKey(event.accountId)) return true;
      this.logger.warn(`ignoring ${subject} revocationId=${event.revocationId}: the revocation belongs to another account`);
      return false;
    });
    const listed = accepted.map(({ event }) => ({ event, pairs: this.pairs(event) }));
    const devices = listed.flatMap(({ event, pairs }) =>
      pairs.map((p) => ({ revocationId: event.revocationId, accountId: event.accountId, at: event.occurredAt, reason: event.reason, ...p })),
    );
    if (devices.length > 0) {
      // A device listed twice for one revocation: the first pair counts.
      const pending = firstBy(devices, (d) => `${uuidKey(d.revocationId)} ${d.deviceId}`);
      // In key order, like every writer of these rows, so concurrent batches cannot deadlock.
      await this.db.rows(
        `INSERT INTO ${Table.revocationDevices} (revocation_id, device_id, account_id, session_id, state, at)
         SELECT p.revocation_id, p.device_id, p.account_id, p.session_id, 'pending', p.at
         FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::uuid[], $5::timestamptz[]) AS p(revocation_id, device_id, account_id, session_id, at)
         ORDER BY p.revocation_id, p.device_id
         ON CONFLICT (revocation_id, device_id) DO NOTHING`,
        [
          pending.map((d) => d.revocationId),
          pending.map((d) => d.deviceId),
          pending.map((d) => d.accountId),
          pending.map((d) => d.sessionId),
          pending.map((d) => d.at),
        ],
      );
      await this.devices.markSignedOut(devices);
      await this.downloads.revokeForSessions(devices);
      await this.history.appendMany(
        devices.map((d) => ({ accountId: d.accountId, deviceId: d.deviceId, kind: 'revocation', at: d.at, sessionId: d.sessionId, revocationId: d.revocationId, detail: d.reason })),
      );
    }
    for (const { event, pairs } of listed) {
      this.logger.log(`revocation recorded revocationId=${event.revocationId} devices=${pairs.length} reason=${event.reason}`);
    }
    await this.completeIfDone(accepted.map((r) => r.event.revocationId));
  }

  /**
   * Gateways' reports, each for one device of one revocation: recorded even before the revocation
   * is known, forward only. A batch ends exactly where handling its reports one by one in order
   * would: per device the first report of the highest rank, if it beats the stored state. A report
   * naming another account than its (known) revocation's is ignored.
   */
  async recordProgress(reports: readonly ProgressReport[]): Promise<void> {
    if (reports.length === 0) return;
    const owners = await this.owners(reports.map((r) => r.event.revocationId));
    const accepted = reports.filter(({ event, state }) => {
      const owner = owners.get(uuidKey(event.revocationId));
      if (owner === undefined || owner === uuidKey(event.accountId)) return true;
      this.logger.warn(`ignoring ${state} for revocationId=${event.revocationId} deviceId=${event.deviceId}: the revocation belongs to another account`);
      return false;
    });
    if (accepted.length === 0) return;
    const moved = await this.advance(accepted);
    await this.history.appendMany(
      accepted
        .filter((r) => r.state === 'logged_out_on_reconnect')
        .map(({ event }) => ({
          accountId: event.accountId,
          deviceId: event.deviceId,
          kind: 'logged_out_on_reconnect',
          at: event.occurredAt,
          sessionId: event.sessionId,
          revocationId: event.revocationId,
        })),
    );
    for (const row of moved) this.logger.debug(`progress revocationId=${row.revocation_id} deviceId=${row.device_id} state=${row.state}`);
    await this.completeIfDone(accepted.map((r) => r.event.revocationId));
  }

  /**
   * Inserts each reported device's row, or moves the existing one forward, in one statement; the
   * rows that changed. Per device, the row is what one-by-one handling would leave: inserted with
   * the first report's account and session, in the state (and time) of its strongest report; an
   * existing row takes that state only if it ranks higher (`PROGRESS_RANK`, in SQL). Rows are
   * written in key order, so concurrent batches (replicas, the revocation handler) cannot deadlock.
   */
  private async advance(reports: readonly ProgressReport[]): Promise<Array<{ revocation_id: string; device_id: string; state: ProgressState }>> {
    const byDevice = new Map<string, ProgressReport[]>();
    for (const report of reports) {
      const key = `${uuidKey(report.event.revocationId)} ${report.event.deviceId}`;
      const list = byDevice.get(key);
      if (list) list.push(report);
      else byDevice.set(key, [report]);
    }
    const rows = [...byDevice.values()].map((list) => {
      const strongest = strongestReport(list);
      return { first: list[0].event, state: strongest.state, at: strongest.event.occurredAt };
    });
    return this.db.rows(
      `INSERT INTO ${Table.revocationDevices} AS rd (revocation_id, device_id, account_id, session_id, state, at)
       SELECT p.revocation_id, p.device_id, p.account_id, p.session_id, p.state, p.at
       FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::uuid[], $5::text[], $6::timestamptz[]) AS p(revocation_id, device_id, account_id, session_id, state, at)
       ORDER BY p.revocation_id, p.device_id
       ON CONFLICT (revocation_id, device_id) DO UPDATE SET state = EXCLUDED.state, at = EXCLUDED.at
       WHERE ${progressRankSql('EXCLUDED.state')} > ${progressRankSql('rd.state')}
       RETURNING rd.revocation_id, rd.device_id, rd.state`,
      [
        rows.map((r) => r.first.revocationId),
        rows.map((r) => r.first.deviceId),
        rows.map((r) => r.first.accountId),
        rows.map((r) => r.first.sessionId),
        rows.map((r) => r.state),
        rows.map((r) => r.at),
      ],
    );
  }

  /** The account of each of these revocations that is known (keys in lower case). */
  private async owners(revocationIds: readonly string[]): Promise<Map<string, string>> {
    const rows = await this.db.rows<{ revocation_id: string; account_id: string }>(
      `SELECT revocation_id, account_id FROM ${Table.revocations} WHERE revocation_id = ANY($1::uuid[])`,
      [distinct(revocationIds.map(uuidKey))],
    );
    return new Map(rows.map((r) => [uuidKey(r.revocation_id), uuidKey(r.account_id)]));
  }

  /**
   * Sets `completed_at` on each of these revocations once none of its devices is pending (never
   * unsets it). The open ones are locked first (in id order: no deadlock between batches) so that
   * two reports for the last two pending devices, handled at once by two replicas, cannot each
   * see the other still pending: the check, a later statement, runs after the other commits. The
   * time is that of the latest device report when the check runs (for a batch: at its end).
   */
  private async completeIfDone(revocationIds: readonly string[]): Promise<void> {
    if (revocationIds.length === 0) return;
    const locked = await this.db.rows<{ revocation_id: string }>(
      `SELECT revocation_id FROM ${Table.revocations}
       WHERE revocation_id = ANY($1::uuid[]) AND completed_at IS NULL
       ORDER BY revocation_id
       FOR UPDATE`,
      [distinct(revocationIds.map(uuidKey))],
    );
    if (locked.length === 0) return;
    const completed = await this.db.rows<{ revocation_id: string }>(
      `UPDATE ${Table.revocations} r
       SET completed_at = GREATEST(r.requested_at, COALESCE(
         (SELECT max(rd.at) FROM ${Table.revocationDevices} rd WHERE rd.revocation_id = r.revocation_id AND rd.account_id = r.account_id),
         r.requested_at))
       WHERE r.revocation_id = ANY($1::uuid[]) AND r.completed_at IS NULL
         AND NOT EXISTS (
           SELECT 1 FROM ${Table.revocationDevices} rd
           WHERE rd.revocation_id = r.revocation_id AND rd.account_id = r.account_id AND rd.state = 'pending')
       RETURNING r.revocation_id`,
      [locked.map((r) => r.revocation_id)],
    );
    for (const r of completed) this.logger.log(`revocation complete revocationId=${r.revocation_id}`);
  }

  /**
   * The (device, session) pairs of a revocation event. The device that asked to stay signed in
   * (`exceptSessionId`) is left out even if listed; lists of different lengths are a producer bug:
   * the pairs that can be matched are kept, and it is logged.
   */
  private pairs(event: SessionRevokedV1 | AccountEpochBumpedV1): Array<{ deviceId: string; sessionId: string }> {
    if (event.deviceIds.length !== event.sessionIds.length) {
      this.logger.error(
        `revocationId=${event.revocationId} lists ${event.deviceIds.length} devices but ${event.sessionIds.length} sessions; keeping the matching pairs`,
      );
    }
    const except = 'exceptSessionId' in event ? event.exceptSessionId : undefined;
    const pairs: Array<{ deviceId: string; sessionId: string }> = [];
    const length = Math.min(event.deviceIds.length, event.sessionIds.length);
    for (let i = 0; i < length; i++) {
      if (event.sessionIds[i] === except) continue;
      pairs.push({ deviceId: event.deviceIds[i], sessionId: event.sessionIds[i] });
    }
    return pairs;
  }
}

/** Postgres answers uuids in lower case; events may spell them either way. */
function uuidKey(id: string): string {
  return id.toLowerCase();
}

function distinct(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** The first item of each key, in the order given. */
function firstBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
