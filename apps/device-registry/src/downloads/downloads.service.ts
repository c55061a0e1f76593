import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import {
  DeleteDownloadReply,
  DeleteDownloadRequest,
  DOWNLOAD_POLICY,
  DownloadLicence,
  IssueDownloadRequest,
  ListDownloadsReply,
  ListDownloadsRequest,
  RevocationReason,
  SignoffError,
} from '@signoff/contracts';
import { Database, Table } from '../core/database';

interface LicenceRow {
  licence_id: string;
  device_id: string;
  title_id: string;
  issued_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
  revoked_reason: string | null;
}

/** A device's session signed out by a revocation: its licences go with it. */
export interface RevokedDeviceSession {
  accountId: string;
  deviceId: string;
  sessionId: string;
  revocationId: string;
  reason: RevocationReason;
  at: string;
}

/** At most this many licences in one listing (the limit per device is 100 at most). */
const LIST_LIMIT = 500;

/**
 * Download licences per device. Issuing takes a transaction-scoped advisory lock on the device,
 * so parallel downloads cannot exceed the plan's limit; downloading a title the device already
 * holds renews that licence instead of taking a second place. Licences die with their session:
 * the revocation handler revokes them in the transaction that records the revocation.
 */
@Injectable()
export class DownloadsService {
  private readonly logger = new Logger(DownloadsService.name);

  constructor(private readonly db: Database) {}

  issue(request: IssueDownloadRequest): Promise<DownloadLicence> {
    return this.db.transaction(async () => {
      await this.db.rows(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`download:${request.accountId}:${request.deviceId}`]);
      // The gateway's revocation view may lag the registry by a moment: a session the registry
      // already saw revoked downloads nothing.
      const revoked = await this.db.one(`SELECT 1 FROM ${Table.revocationDevices} WHERE account_id = $1 AND device_id = $2 AND session_id = $3 LIMIT 1`, [
        request.accountId,
        request.deviceId,
        request.sessionId,
      ]);
      if (revoked) throw new SignoffError('SESSION_REVOKED', 'this device has been signed out');
      const expiresAt = new Date(Date.now() + DOWNLOAD_POLICY.licenceDays * 86_400_000);
      const renewed = await this.db.one<LicenceRow>(
        `UPDATE ${Table.downloadLicences} SET expires_at = $4, session_id = $5
          WHERE account_id = $1 AND device_id = $2 AND title_id = $3 AND revoked_at IS NULL AND expires_at > now()
          RETURNING licence_id, device_id, title_id, issued_at, expires_at, revoked_at, revoked_reason`,
        [request.accountId, request.deviceId, request.titleId, expiresAt, request.sessionId],
      );
      if (renewed) return toLicence(renewed);
      const live = await this.db.one<{ count: number }>(
        `SELECT count(*)::int AS count FROM ${Table.downloadLicences} WHERE account_id = $1 AND device_id = $2 AND revoked_at IS NULL AND expires_at > now()`,
        [request.accountId, request.deviceId],
      );
      const limit = DOWNLOAD_POLICY.perDevice[request.plan];
      if ((live?.count ?? 0) >= limit) {
        throw new SignoffError('DOWNLOAD_LIMIT_REACHED', `your ${request.plan} plan allows ${limit} downloads per device; delete one first`);
      }
      const row = await this.db.one<LicenceRow>(
        `INSERT INTO ${Table.downloadLicences} (licence_id, account_id, device_id, session_id, title_id, issued_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, now(), $6)
         RETURNING licence_id, device_id, title_id, issued_at, expires_at, revoked_at, revoked_reason`,
        [randomUUID(), request.accountId, request.deviceId, request.sessionId, request.titleId, expiresAt],
      );
      return toLicence(row as LicenceRow);
    });
  }

  async list(request: ListDownloadsRequest): Promise<ListDownloadsReply> {
    const rows = await this.db.rows<LicenceRow>(
      `SELECT licence_id, device_id, title_id, issued_at, expires_at, revoked_at, revoked_reason FROM ${Table.downloadLicences}
        WHERE account_id = $1 AND ($2::text IS NULL OR device_id = $2)
          AND ($3 = 'all' OR (revoked_at IS NULL AND expires_at > now()))
        ORDER BY issued_at DESC, licence_id LIMIT ${LIST_LIMIT}`,
      [request.accountId, request.deviceId ?? null, request.include ?? 'live'],
    );
    return { licences: rows.map(toLicence) };
  }

  async delete(request: DeleteDownloadRequest): Promise<DeleteDownloadReply> {
    const rows = await this.db.rows(
      `UPDATE ${Table.downloadLicences} SET revoked_at = now(), revoked_reason = 'deleted'
        WHERE licence_id = $1 AND account_id = $2 AND device_id = $3 AND revoked_at IS NULL RETURNING licence_id`,
      [request.licenceId, request.accountId, request.deviceId],
    );
    if (rows.length === 0) throw new SignoffError('DOWNLOAD_NOT_FOUND', 'this device holds no such download');
    return {};
  }

  /**
   * Revokes the live licences of signed-out sessions, in the caller's transaction, one statement.
   * A session replaced by a new sign-in on the same device keeps its licences: the device is the
   * same and signed in again; they move to the new session on their next renewal.
   */
  async revokeForSessions(signedOut: readonly RevokedDeviceSession[]): Promise<void> {
    const revoked = signedOut.filter((s) => s.reason !== 'replaced_by_new_sign_in');
    if (revoked.length === 0) return;
    const rows = await this.db.rows<{ licence_id: string }>(
      `UPDATE ${Table.downloadLicences} l SET revoked_at = s.at, revoked_reason = s.reason, revocation_id = s.revocation_id
         FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::uuid[], $5::text[], $6::timestamptz[])
              AS s(account_id, device_id, session_id, revocation_id, reason, at)
        WHERE l.account_id = s.account_id AND l.device_id = s.device_id AND l.session_id = s.session_id AND l.revoked_at IS NULL
        RETURNING l.licence_id`,
      [
        revoked.map((s) => s.accountId),
        revoked.map((s) => s.deviceId),
        revoked.map((s) => s.sessionId),
        revoked.map((s) => s.revocationId),
        revoked.map((s) => s.reason),
        revoked.map((s) => s.at),
      ],
    );
    if (rows.length > 0) this.logger.log(`revoked ${rows.length} download licence(s) of ${revoked.length} signed-out session(s)`);
  }
}

function toLicence(row: LicenceRow): DownloadLicence {
  return {
    licenceId: row.licence_id,
    deviceId: row.device_id,
    titleId: row.title_id,
    issuedAt: row.issued_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
    revokedAt: row.revoked_at?.toISOString() ?? null,
    revokedReason: row.revoked_reason,
  };
}
