import { Injectable } from '@nestjs/common';
import {
  DeviceHistoryReply,
  DeviceLocation,
  DeviceType,
  DeviceView,
  AccountHistoryReply,
  GetAccountHistoryRequest,
  GetDeviceHistoryRequest,
  ListDevicesReply,
  ListDevicesRequest,
  SessionStartedV1,
} from '@signoff/contracts';
import { Database, Table } from '../core/database';
import { GeoIpLocator } from '@signoff/geoip';
import { DeviceHistoryRepository, NewHistoryEntry } from './device-history.repository';
import { deriveDeviceStatus, LiveState } from './device-status';
import { deviceNotFound } from './devices.errors';
import { LiveStateReader } from './live-state.reader';
import { locationChange } from './location-change';
import { parseUserAgent } from './user-agent';

interface DeviceRow {
  device_id: string;
  session_id: string | null;
  type: DeviceType;
  name: string;
  os: string | null;
  app_version: string | null;
  last_profile_id: string | null;
  last_active_at: Date;
  last_watched_at: Date | null;
  last_watched_title_id: string | null;
  country: string | null;
  region: string | null;
  city: string | null;
  signed_in_at: Date;
  signed_out_at: Date | null;
  logout_pending: boolean;
}

const NOTHING_LIVE: LiveState = { present: false, playback: null };

/** The device inventory of an account: who signed in where, and how each device is doing. */
@Injectable()
export class DevicesService {
  constructor(
    private readonly db: Database,
    private readonly historyRepository: DeviceHistoryRepository,
    private readonly liveState: LiveStateReader,
    private readonly geoIp: GeoIpLocator,
  ) {}

  async list(request: ListDevicesRequest): Promise<ListDevicesReply> {
    const rows = await this.db.rows<DeviceRow>(
      `SELECT d.device_id, d.session_id, d.type, d.name, d.os, d.app_version, d.last_profile_id, d.last_active_at,
              d.last_watched_at, d.last_watched_title_id, d.country, d.region, d.city, d.signed_in_at, d.signed_out_at,
              EXISTS (
                SELECT 1 FROM ${Table.revocationDevices} rd
                WHERE rd.account_id = d.account_id AND rd.device_id = d.device_id
                  AND rd.session_id = d.session_id AND rd.state = 'pending'
              ) AS logout_pending
       FROM ${Table.devices} d
       WHERE d.account_id = $1
       ORDER BY d.last_active_at DESC, d.device_id`,
      [request.accountId],
    );
    const signedIn = rows.filter((r) => r.signed_out_at === null).map((r) => r.device_id);
    const live = await this.liveState.read(request.accountId, signedIn);
    const devices = rows.map((r): DeviceView => ({
      deviceId: r.device_id,
      sessionId: r.session_id,
      type: r.type,
      name: r.name,
      os: r.os,
      appVersion: r.app_version,
      lastProfile: r.last_profile_id,
      lastActiveAt: r.last_active_at.toISOString(),
      lastWatchedAt: r.last_watched_at?.toISOString() ?? null,
      lastWatchedTitleId: r.last_watched_title_id,
      location: { country: r.country, region: r.region, city: r.city },
      status: deriveDeviceStatus({
        signedOut: r.signed_out_at !== null,
        logoutPending: r.logout_pending,
        live: live === undefined ? undefined : (live.get(r.device_id) ?? NOTHING_LIVE),
      }),
      current: request.currentDeviceId !== undefined && r.device_id === request.currentDeviceId,
      signedInAt: r.signed_in_at.toISOString(),
    }));
    return { devices };
  }

  async history(request: GetDeviceHistoryRequest): Promise<DeviceHistoryReply> {
    const known = await this.db.one(`SELECT 1 FROM ${Table.devices} WHERE account_id = $1 AND device_id = $2`, [request.accountId, request.deviceId]);
    if (!known) throw deviceNotFound();
    const { entries, nextCursor } = await this.historyRepository.page(request.accountId, request.deviceId, request);
    return { deviceId: request.deviceId, entries: entries.map(({ deviceId: _deviceId, deviceName: _deviceName, ...entry }) => entry), nextCursor };
  }

  /** Every device's history of the account, newest first, one page. */
  accountHistory(request: GetAccountHistoryRequest): Promise<AccountHistoryReply> {
    return this.historyRepository.page(request.accountId, null, request);
  }

  /**
   * `security.session.started.v1`, inside the caller's transaction. A sign-in older than the one
   * already recorded (events of one device handled out of order) only adds its history line. A
   * session that some revocation already names is recorded as signed out: its revocation may have
   * been handled first, and must not be undone by a late sign-in.
   *
   * OS and app version are what the device said, else what its User-Agent shows. The location
   * follows the address: a sign-in with an address replaces it (with nulls where the address
   * cannot be placed), one without keeps the last. A move between known places is a history line.
   */
  async recordSignIn(event: SessionStartedV1): Promise<void> {
    const fromUserAgent = parseUserAgent(event.userAgent);
    const location = event.ip ? this.geoIp.locate(event.ip) : null;
    // Locked, so a replica applying this device's next sign-in compares against what we store.
    const previous = await this.db.one<DeviceLocation>(
      `SELECT country, region, city FROM ${Table.devices} WHERE account_id = $1 AND device_id = $2 FOR UPDATE`,
      [event.accountId, event.device.id],
    );
    const applied = await this.db.one<{ applied: boolean }>(
      `INSERT INTO ${Table.devices} AS d
         (account_id, device_id, type, name, os, app_version, session_id, signed_in_at, last_active_at, last_profile_id, last_ip,
          country, region, city, signed_out_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::timestamptz, $8::timestamptz, $9, $10::inet, $11, $12, $13,
         (SELECT max(rd.at) FROM ${Table.revocationDevices} rd WHERE rd.account_id = $1 AND rd.device_id = $2 AND rd.session_id = $7))
       ON CONFLICT (account_id, device_id) DO UPDATE SET
         type = EXCLUDED.type,
         name = EXCLUDED.name,
         os = EXCLUDED.os,
         app_version = EXCLUDED.app_version,
         session_id = EXCLUDED.session_id,
         signed_in_at = EXCLUDED.signed_in_at,
         last_active_at = GREATEST(d.last_active_at, EXCLUDED.last_active_at),
         last_profile_id = COALESCE(EXCLUDED.last_profile_id, d.last_profile_id),
         last_ip = COALESCE(EXCLUDED.last_ip, d.last_ip),
         country = CASE WHEN EXCLUDED.last_ip IS NULL THEN d.country ELSE EXCLUDED.country END,
         region = CASE WHEN EXCLUDED.last_ip IS NULL THEN d.region ELSE EXCLUDED.region END,
         city = CASE WHEN EXCLUDED.last_ip IS NULL THEN d.city ELSE EXCLUDED.city END,
         signed_out_at = EXCLUDED.signed_out_at,
         updated_at = now()
       WHERE d.signed_in_at <= EXCLUDED.signed_in_at
       RETURNING true AS applied`,
      [
        event.accountId,
        event.device.id,
        event.device.type,
        event.device.name,
        said(event.device.os) ?? fromUserAgent.os,
        said(event.device.appVersion) ?? fromUserAgent.appVersion,
        event.sessionId,
        event.occurredAt,
        event.profileId ?? null,
        event.ip ?? null,
        location?.country ?? null,
        location?.region ?? null,
        location?.city ?? null,
      ],
    );
    const entries: NewHistoryEntry[] = [
      { accountId: event.accountId, deviceId: event.device.id, kind: 'signed_in', at: event.occurredAt, sessionId: event.sessionId },
    ];
    const moved = applied && previous && location ? locationChange(previous, location) : null;
    if (moved) {
      entries.push({ accountId: event.accountId, deviceId: event.device.id, kind: 'location_changed', at: event.occurredAt, sessionId: event.sessionId, detail: moved });
    }
    await this.historyRepository.appendMany(entries);
  }

  /**
   * Marks devices signed out by revocations — only where the device still runs the revoked
   * session: a device that signed in again since keeps its new session. One statement for all;
   * a device already signed out keeps its time, and of two entries for the same session the
   * first one counts (as if they had been applied one after the other).
   */
  async markSignedOut(entries: ReadonlyArray<{ accountId: string; deviceId: string; sessionId: string; at: string }>): Promise<void> {
    const seen = new Set<string>();
    const first = entries.filter((e) => {
      const key = `${e.accountId.toLowerCase()} ${e.sessionId.toLowerCase()} ${e.deviceId}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    if (first.length === 0) return;
    await this.db.rows(
      `UPDATE ${Table.devices} d
       SET signed_out_at = COALESCE(d.signed_out_at, p.at), updated_at = now()
       FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::timestamptz[]) AS p(account_id, device_id, session_id, at)
       WHERE d.account_id = p.account_id AND d.device_id = p.device_id AND d.session_id = p.session_id`,
      [first.map((e) => e.accountId), first.map((e) => e.deviceId), first.map((e) => e.sessionId), first.map((e) => e.at)],
    );
  }
}

/** A field the device filled in; an empty string says nothing. */
function said(value: string | undefined): string | null {
  return value?.trim() ? value : null;
}
