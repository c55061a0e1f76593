import { Injectable, Logger } from '@nestjs/common';
import {
  AccountEpochBumpedV1,
  DeviceProgressEvent,
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
import { advancesProgress, revocationScope } from './progress-precedence';
import { revocationNotFound } from './revocation-progress.errors';

export type RevocationEventSubject = typeof EventSubject.sessionRevoked | typeof EventSubject.accountEpochBumped;

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
 * event handler's, which also records the event id), so each event is applied exactly once.
 */
@Injectable()
export class RevocationProgressService {
  private readonly logger = new Logger(RevocationProgressService.name);

  constructor(
    private readonly db: Database,
    private readonly devices: DevicesService,
    private readonly history: DeviceHistoryRepository,
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
   * A revocation event: every listed device starts `pending` unless a gateway already reported
   * it (a `cut` may overtake the revocation event, the streams being separate), and is marked
   * signed out if it still runs the revoked session.
   */
  async recordRevocation(subject: RevocationEventSubject, event: SessionRevokedV1 | AccountEpochBumpedV1): Promise<void> {
    const { deviceIds, sessionIds } = this.pairs(event);
    await this.db.rows(
      `INSERT INTO ${Table.revocations} (revocation_id, account_id, scope, reason, requested_at)
       VALUES ($1, $2, $3, $4, $5::timestamptz)
       ON CONFLICT (revocation_id) DO NOTHING`,
      [event.revocationId, event.accountId, revocationScope(subject, event.reason), event.reason, event.occurredAt],
    );
    const owner = await this.db.one<{ account_id: string }>(`SELECT account_id FROM ${Table.revocations} WHERE revocation_id = $1`, [event.revocationId]);
    if (owner?.account_id !== event.accountId) {
      this.logger.warn(`ignoring ${subject} revocationId=${event.revocationId}: the revocation belongs to another account`);
      return;
    }
    if (deviceIds.length > 0) {
      await this.db.rows(
        `INSERT INTO ${Table.revocationDevices} (revocation_id, device_id, account_id, session_id, state, at)
         SELECT $1, p.device_id, $2, p.session_id, 'pending', $3::timestamptz
         FROM unnest($4::text[], $5::uuid[]) AS p(device_id, session_id)
         ON CONFLICT (revocation_id, device_id) DO NOTHING`,
        [event.revocationId, event.accountId, event.occurredAt, deviceIds, sessionIds],
      );
    }
    await this.devices.markSignedOut({ accountId: event.accountId, at: event.occurredAt, deviceIds, sessionIds });
    await this.history.appendRevocation({
      accountId: event.accountId,
      revocationId: event.revocationId,
      at: event.occurredAt,
      reason: event.reason,
      deviceIds,
      sessionIds,
    });
    this.logger.log(`revocation recorded revocationId=${event.revocationId} devices=${deviceIds.length} reason=${event.reason}`);
    await this.completeIfDone(event.revocationId);
  }

  /** A gateway's report for one device: recorded even before the revocation is known, forward only. */
  async recordProgress(event: DeviceProgressEvent, state: ProgressState): Promise<void> {
    const owner = await this.db.one<{ account_id: string }>(`SELECT account_id FROM ${Table.revocations} WHERE revocation_id = $1`, [event.revocationId]);
    if (owner && owner.account_id !== event.accountId) {
      this.logger.warn(`ignoring ${state} for revocationId=${event.revocationId} deviceId=${event.deviceId}: the revocation belongs to another account`);
      return;
    }
    const moved = await this.advance(event, state);
    if (state === 'logged_out_on_reconnect') {
      await this.history.append({
        accountId: event.accountId,
        deviceId: event.deviceId,
        kind: 'logged_out_on_reconnect',
        at: event.occurredAt,
        sessionId: event.sessionId,
        revocationId: event.revocationId,
      });
    }
    if (moved) this.logger.log(`progress revocationId=${event.revocationId} deviceId=${event.deviceId} state=${state}`);
    await this.completeIfDone(event.revocationId);
  }

  /** Inserts the device's row in `state`, or moves the existing one forward; true if it changed. */
  private async advance(event: DeviceProgressEvent, state: ProgressState): Promise<boolean> {
    const inserted = await this.db.rows(
      `INSERT INTO ${Table.revocationDevices} (revocation_id, device_id, account_id, session_id, state, at)
       VALUES ($1, $2, $3, $4, $5, $6::timestamptz)
       ON CONFLICT (revocation_id, device_id) DO NOTHING
       RETURNING state`,
      [event.revocationId, event.deviceId, event.accountId, event.sessionId, state, event.occurredAt],
    );
    if (inserted.length > 0) return true;
    // The row exists (committed: the insert above waited for any writer of it). Lock it, then
    // decide in code with the one precedence rule.
    const current = await this.db.one<{ state: ProgressState }>(
      `SELECT state FROM ${Table.revocationDevices} WHERE revocation_id = $1 AND device_id = $2 FOR UPDATE`,
      [event.revocationId, event.deviceId],
    );
    if (!current || !advancesProgress(current.state, state)) return false;
    await this.db.rows(
      `UPDATE ${Table.revocationDevices} SET state = $3, at = $4::timestamptz WHERE revocation_id = $1 AND device_id = $2`,
      [event.revocationId, event.deviceId, state, event.occurredAt],
    );
    return true;
  }

  /**
   * Sets `completed_at` once no device is pending (never unsets it). The revocation row is locked
   * first so that two reports for the last two pending devices, handled at once by two replicas,
   * cannot each see the other still pending: the second check runs after the first commits.
   * The time is that of the last device report, so a replayed event computes the same value.
   */
  private async completeIfDone(revocationId: string): Promise<void> {
    const locked = await this.db.one(`SELECT 1 FROM ${Table.revocations} WHERE revocation_id = $1 FOR UPDATE`, [revocationId]);
    if (!locked) return;
    const completed = await this.db.rows<{ completed_at: Date }>(
      `UPDATE ${Table.revocations} r
       SET completed_at = GREATEST(r.requested_at, COALESCE(
         (SELECT max(rd.at) FROM ${Table.revocationDevices} rd WHERE rd.revocation_id = r.revocation_id AND rd.account_id = r.account_id),
         r.requested_at))
       WHERE r.revocation_id = $1 AND r.completed_at IS NULL
         AND NOT EXISTS (
           SELECT 1 FROM ${Table.revocationDevices} rd
           WHERE rd.revocation_id = r.revocation_id AND rd.account_id = r.account_id AND rd.state = 'pending')
       RETURNING r.completed_at`,
      [revocationId],
    );
    if (completed.length > 0) this.logger.log(`revocation complete revocationId=${revocationId}`);
  }

  /**
   * The (device, session) pairs of a revocation event. The device that asked to stay signed in
   * (`exceptSessionId`) is left out even if listed; lists of different lengths are a producer bug:
   * the pairs that can be matched are kept, and it is logged.
   */
  private pairs(event: SessionRevokedV1 | AccountEpochBumpedV1): { deviceIds: string[]; sessionIds: string[] } {
    if (event.deviceIds.length !== event.sessionIds.length) {
      this.logger.error(
        `revocationId=${event.revocationId} lists ${event.deviceIds.length} devices but ${event.sessionIds.length} sessions; keeping the matching pairs`,
      );
    }
    const except = 'exceptSessionId' in event ? event.exceptSessionId : undefined;
    const deviceIds: string[] = [];
    const sessionIds: string[] = [];
    const length = Math.min(event.deviceIds.length, event.sessionIds.length);
    for (let i = 0; i < length; i++) {
      if (event.sessionIds[i] === except) continue;
      deviceIds.push(event.deviceIds[i]);
      sessionIds.push(event.sessionIds[i]);
    }
    return { deviceIds, sessionIds };
  }
}
