import { Body, Controller, Get, Header, Headers, HttpCode, Inject, Post } from '@nestjs/common';
import { Principal, RecoveryCodesReply, RpcSubject, TwoFactorStatusReply } from '@signoff/contracts';
import { RpcClient } from '@signoff/service-kit';
import { AccountManagement } from '../auth/account-management.decorator';
import { CurrentPrincipal, sessionRefOf } from '../auth/current-principal.decorator';
import { requireReauthToken } from '../auth/reauth-token';
import { RPC_CLIENT } from '@signoff/platform';
import { Throttle } from '../throttling/throttle.service';
import { ConfirmTwoFactorBody, DisableTwoFactorBody, TwoFactorEnrolmentResponse } from './two-factor.dto';
import { qrCodeSvg } from './qr-code';

/**
 * Two-factor sign-in (TOTP): status, enrol, confirm, turn off, new recovery codes, and step-up by
 * a code. Enrolling, turning off and new recovery codes are account-wide changes: they need
 * `X-Reauth-Token` from a step-up of this session (SECURITY promise 4). Every route that takes a
 * code passes the step-up throttle first, so codes cannot be guessed faster than passwords.
 */
@AccountManagement()
@Controller('v1')
export class TwoFactorHttpController {
  constructor(
    @Inject(RPC_CLIENT) private readonly rpc: RpcClient,
    private readonly throttle: Throttle,
  ) {}

  @Get('account/two-factor')
  async status(@CurrentPrincipal() principal: Principal): Promise<TwoFactorStatusReply> {
    return this.rpc.call(RpcSubject.getTwoFactorStatus, sessionRefOf(principal));
  }

  @Post('account/two-factor')
  @HttpCode(201)
  @Header('Cache-Control', 'no-store')
  async enrol(@CurrentPrincipal() principal: Principal, @Headers('x-reauth-token') reauthToken: string | undefined): Promise<TwoFactorEnrolmentResponse> {
    const reply = await this.rpc.call(RpcSubject.beginTwoFactorEnrolment, { ...sessionRefOf(principal), reauthToken: requireReauthToken(reauthToken) });
    return { otpauthUri: reply.otpauthUri, qrCodeSvg: await qrCodeSvg(reply.otpauthUri), secret: reply.secret };
  }

  @Post('account/two-factor/confirm')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  async confirm(@CurrentPrincipal() principal: Principal, @Body() body: ConfirmTwoFactorBody): Promise<RecoveryCodesReply> {
    const admission = await this.throttle.stepUp(principal.accountId, principal.sessionId);
    const reply = await this.rpc.call(RpcSubject.confirmTwoFactor, { ...sessionRefOf(principal), code: body.code });
    await admission.succeeded();
    return reply;
  }

  @Post('account/two-factor/disable')
  @HttpCode(204)
  async disable(@CurrentPrincipal() principal: Principal, @Headers('x-reauth-token') reauthToken: string | undefined, @Body() body: DisableTwoFactorBody): Promise<void> {
    const reauth = requireReauthToken(reauthToken);
    const admission = await this.throttle.stepUp(principal.accountId, principal.sessionId);
    await this.rpc.call(RpcSubject.disableTwoFactor, { ...sessionRefOf(principal), reauthToken: reauth, code: body.code });
    await admission.succeeded();
  }

  @Post('account/two-factor/recovery-codes')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  async regenerateRecoveryCodes(@CurrentPrincipal() principal: Principal, @Headers('x-reauth-token') reauthToken: string | undefined): Promise<RecoveryCodesReply> {
    return this.rpc.call(RpcSubject.regenerateRecoveryCodes, { ...sessionRefOf(principal), reauthToken: requireReauthToken(reauthToken) });
  }
}
