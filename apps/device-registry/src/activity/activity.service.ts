import { Injectable } from '@nestjs/common';
import { DeviceActivityV1 } from '@signoff/contracts';
import { Database, Table } from '../core/database';
import { DeviceHistoryRepository } from '../devices/device-history.repository';

/**
 * Activity stamps from the gateways (core NATS, loss-tolerant): a lost one only leaves "last
 * active" a little older. Stamps never move a time backwards, and devices we do not know are
 * ignored (the registry learns devices from sign-ins only).
 */
@Injectable()
export class ActivityService {
  constructor(
    private readonly db: Database,
    private readonly history: DeviceHistoryRepository,
  ) {}

  async record(notice: DeviceActivityV1): Promise<void> {
    const playback = notice.kind === 'playback_started';
    await this.db.transaction(async () => {
      const updated = await this.db.rows<{ device_id: string }>(
        `UPDATE ${Table.devices} d SET
           last_active_at = GREATEST(d.last_active_at, $3::timestamptz),
           last_watched_at = CASE WHEN $4::boolean AND (d.last_watched_at IS NULL OR d.last_watched_at <= $3::timestamptz)
                                  THEN $3::timestamptz ELSE d.last_watched_at END,
           last_watched_title_id = CASE WHEN $4::boolean AND (d.last_watched_at IS NULL OR d.last_watched_at <= $3::timestamptz)
                                        THEN $5::text ELSE d.last_watched_title_id END,
           last_profile_id = CASE WHEN $4::boolean THEN COALESCE($6::uuid, d.last_profile_id) ELSE d.last_profile_id END,
           updated_at = now()
         WHERE d.account_id = $1 AND d.device_id = $2
         RETURNING d.device_id`,
        [notice.accountId, notice.deviceId, notice.at, playback, notice.titleId ?? null, notice.profileId ?? null],
      );
      // Only what someone would look for in a device's timeline: plain "active" stamps are too
      // frequent to keep one by one.
      if (updated.length > 0 && playback) {
        await this.history.append({
          accountId: notice.accountId,
          deviceId: notice.deviceId,
          kind: 'activity',
          at: notice.at,
          sessionId: notice.sessionId,
          detail: notice.titleId ? `playback_started title=${notice.titleId}` : 'playback_started',
        });
      }
    });
  }
}
