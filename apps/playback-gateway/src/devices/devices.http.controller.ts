import { Body, Controller, Get, Headers, HttpCode, Inject, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  AccountHistoryReply,
  DeviceHistoryReply,
  DeviceNotRecognisedReply,
  ListDevicesReply,
  Principal,
  RevocationAccepted,
  RevocationProgressReply,
  RpcSubject,
  SignoffError,
} from '@signoff/contracts';
import { RpcClient } from '@signoff/service-kit';
import { RevokeAllBody } from '../auth/auth.dto';
import { AccountManagement } from '../auth/account-management.decorator';
import { AllowedWhileViewStale } from '../auth/allowed-while-view-stale.decorator';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import { requireReauthToken } from '../auth/reauth-token';
import { RPC_CLIENT } from '@signoff/platform';
import { checkDeviceId } from './device-id';

/** The device list, one device's history, signing out one or all devices, and progress: not for kids profiles. */
@AccountManagement()
@Controller('v1')
export class DevicesHttpController {
  constructor(@Inject(RPC_CLIENT) private readonly rpc: RpcClient) {}

  /** The registry's list, with each device's last profile named (profiles live in auth-service). */
  @Get('devices')
  async list(@CurrentPrincipal() principal: Principal): Promise<ListDevicesReply> {
    const [list, { profiles }] = await Promise.all([
      this.rpc.call(RpcSubject.listDevices, { accountId: principal.accountId, currentDeviceId: principal.deviceId }),
      this.rpc.call(RpcSubject.listProfiles, { accountId: principal.accountId, sessionId: principal.sessionId }),
    ]);
    const names = new Map(profiles.map((p) => [p.profileId, p.name]));
    return { devices: list.devices.map((d) => ({ ...d, lastProfileName: d.lastProfile ? (names.get(d.lastProfile) ?? null) : null })) };
  }

  /** One device's history, newest first; `?limit=` (≤ 100) and `?cursor=` (a reply's `nextCursor`) page through it. */
  @Get('devices/:deviceId/history')
  history(@CurrentPrincipal() principal: Principal, @Param('deviceId') deviceId: string, @Query() query: HistoryQuery): Promise<DeviceHistoryReply> {
    return this.rpc.call(RpcSubject.getDeviceHistory, { accountId: principal.accountId, deviceId: checkDeviceId(deviceId), ...pageOf(query) });
  }

  /** Every device's history, interleaved by time, signed-out devices included; paged like a device's. */
  @Get('history')
  accountHistory(@CurrentPrincipal() principal: Principal, @Query() query: HistoryQuery): Promise<AccountHistoryReply> {
    return this.rpc.call(RpcSubject.getAccountHistory, { accountId: principal.accountId, ...pageOf(query) });
  }

  /** No step-up: signing out one device is what a holder does for a lost phone, and it is undone by signing in again. */
  @AllowedWhileViewStale()
  @Post('devices/:deviceId/sign-out')
  @HttpCode(202)
  signOut(@CurrentPrincipal() principal: Principal, @Param('deviceId') deviceId: string): Promise<RevocationAccepted> {
    return this.rpc.call(RpcSubject.signOutDevice, { accountId: principal.accountId, sessionId: principal.sessionId, deviceId: checkDeviceId(deviceId) });
  }

  /**
   * "Don't recognise this device?": signs it out (reason `device_not_recognised`, no step-up, as
   * for any single device) and answers what comes next: a password change, since whoever used
   * the device may know the password. Not for the device asking (sign out instead).
   */
  @AllowedWhileViewStale()
  @Post('devices/:deviceId/not-recognised')
  @HttpCode(202)
  async notRecognised(@CurrentPrincipal() principal: Principal, @Param('deviceId') deviceId: string): Promise<DeviceNotRecognisedReply> {
    if (checkDeviceId(deviceId) === principal.deviceId) {
      throw new SignoffError('VALIDATION_FAILED', 'this is the device you are using; sign out (POST /v1/auth/logout) or change the password instead');
    }
    const { revocationId } = await this.rpc.call(RpcSubject.signOutDevice, { accountId: principal.accountId, sessionId: principal.sessionId, deviceId, notRecognised: true });
    return { revocationId, next: { action: 'change_password', method: 'POST', path: '/v1/account/password', stepUp: 'POST /v1/auth/step-up' } };
  }

  @AllowedWhileViewStale()
  @Post('sessions/revoke-all')
  @HttpCode(202)
  revokeAll(
    @CurrentPrincipal() principal: Principal,
    @Headers('x-reauth-token') reauthToken: string | undefined,
    @Body() body: RevokeAllBody,
  ): Promise<RevocationAccepted> {
    return this.rpc.call(RpcSubject.revokeAllSessions, {
      accountId: principal.accountId,
      sessionId: principal.sessionId,
      reauthToken: requireReauthToken(reauthToken),
      includeCurrent: body.includeCurrent ?? true,
    });
  }

  @Get('revocations/:revocationId')
  progress(
    @CurrentPrincipal() principal: Principal,
    @Param('revocationId', new ParseUUIDPipe({ exceptionFactory: () => new SignoffError('VALIDATION_FAILED', 'revocationId must be a UUID') }))
    revocationId: string,
  ): Promise<RevocationProgressReply> {
    return this.rpc.call(RpcSubject.getRevocationProgress, { accountId: principal.accountId, revocationId });
  }
}

interface HistoryQuery {
  cursor?: unknown;
  limit?: unknown;
}

/** The page a query asks for (the registry's contract checks the values: limit 1-100, a cursor it issued). */
function pageOf(query: HistoryQuery): { cursor?: string; limit?: number } {
  const page: { cursor?: string; limit?: number } = {};
  if (query.cursor !== undefined) {
    if (typeof query.cursor !== 'string') throw new SignoffError('VALIDATION_FAILED', 'cursor must be given once');
    page.cursor = query.cursor;
  }
  if (query.limit !== undefined) {
    if (typeof query.limit !== 'string' || !/^\d{1,4}$/.test(query.limit)) throw new SignoffError('VALIDATION_FAILED', 'limit must be a whole number');
    page.limit = Number(query.limit);
  }
  return page;
}
