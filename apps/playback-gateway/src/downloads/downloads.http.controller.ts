import { Body, Controller, Delete, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { DownloadLicence, IssueDownloadRequest, ListDownloadsReply, Principal, RpcSubject, SignoffError } from '@signoff/contracts';
import { RpcClient } from '@signoff/service-kit';
import { PickType } from '@nestjs/swagger';
import { AccountManagement } from '../auth/account-management.decorator';
import { CurrentPrincipal, planOf } from '../auth/current-principal.decorator';
import { checkDeviceId } from '../devices/device-id';
import { RPC_CLIENT } from '@signoff/platform';

export class DownloadBody extends PickType(IssueDownloadRequest, ['titleId'] as const) {}

const licenceIdPipe = new ParseUUIDPipe({ exceptionFactory: () => new SignoffError('VALIDATION_FAILED', 'licenceId must be a UUID') });

/**
 * Download licences. A device downloads for itself (any profile may: downloads are for
 * watching); the account page lists any device's licences, which is account management.
 */
@Controller('v1')
export class DownloadsHttpController {
  constructor(@Inject(RPC_CLIENT) private readonly rpc: RpcClient) {}

  /** 201 with the licence; 409 `DOWNLOAD_LIMIT_REACHED` over the plan's per-device limit. */
  @Post('downloads')
  @HttpCode(201)
  download(@CurrentPrincipal() principal: Principal, @Body() body: DownloadBody): Promise<DownloadLicence> {
    return this.rpc.call(RpcSubject.issueDownload, {
      accountId: principal.accountId,
      deviceId: principal.deviceId,
      sessionId: principal.sessionId,
      plan: planOf(principal),
      titleId: body.titleId,
    });
  }

  /** This device's live licences: what it may keep on disk. */
  @Get('downloads')
  mine(@CurrentPrincipal() principal: Principal): Promise<ListDownloadsReply> {
    return this.rpc.call(RpcSubject.listDownloads, { accountId: principal.accountId, deviceId: principal.deviceId, include: 'live' });
  }

  @Delete('downloads/:licenceId')
  @HttpCode(204)
  async delete(@CurrentPrincipal() principal: Principal, @Param('licenceId', licenceIdPipe) licenceId: string): Promise<void> {
    await this.rpc.call(RpcSubject.deleteDownload, { accountId: principal.accountId, deviceId: principal.deviceId, licenceId });
  }

  /** One device's licences, revoked ones included (the account page shows what sign-out removed). */
  @AccountManagement()
  @Get('devices/:deviceId/downloads')
  ofDevice(@CurrentPrincipal() principal: Principal, @Param('deviceId') deviceId: string): Promise<ListDownloadsReply> {
    return this.rpc.call(RpcSubject.listDownloads, { accountId: principal.accountId, deviceId: checkDeviceId(deviceId), include: 'all' });
  }
}
