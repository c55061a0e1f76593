import { Body, Controller, Headers, HttpCode, Inject, Post } from '@nestjs/common';
import { ChangePasswordReply, Principal, RpcSubject } from '@signoff/contracts';
import { RpcClient } from '@signoff/service-kit';
import { AccountManagement } from '../auth/account-management.decorator';
import { AllowedWhileViewStale } from '../auth/allowed-while-view-stale.decorator';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import { requireReauthToken } from '../auth/reauth-token';
import { RPC_CLIENT } from '@signoff/platform';
import { Throttle } from '../throttling/throttle.service';
import { ChangePasswordBody } from './account.dto';

/** Account settings: changing the password (signs every other device out by default). */
@AccountManagement()
@Controller('v1/account')
export class AccountHttpController {
  constructor(
    @Inject(RPC_CLIENT) private readonly rpc: RpcClient,
    private readonly throttle: Throttle,
  ) {}

  /**
   * 200 `{revocationId?}`: the password is changed when this answers; `revocationId` names the
   * sign-out of the other devices (follow it at `GET /v1/revocations/:id`), absent when they
   * were kept. The current password is a password guess like a step-up, so it shares the
   * step-up throttle of this session.
   */
  @AllowedWhileViewStale()
  @Post('password')
  @HttpCode(200)
  async changePassword(
    @CurrentPrincipal() principal: Principal,
    @Headers('x-reauth-token') reauthToken: string | undefined,
    @Body() body: ChangePasswordBody,
  ): Promise<ChangePasswordReply> {
    const token = requireReauthToken(reauthToken);
    const admission = await this.throttle.stepUp(principal.accountId, principal.sessionId);
    const reply = await this.rpc.call(RpcSubject.changePassword, {
      accountId: principal.accountId,
      sessionId: principal.sessionId,
      reauthToken: token,
      currentPassword: body.currentPassword,
      newPassword: body.newPassword,
      signOutOtherDevices: body.signOutAllDevices ?? true,
    });
    await admission.succeeded();
    return reply.revocationId ? { revocationId: reply.revocationId } : {};
  }
}
