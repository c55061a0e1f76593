import { Body, Controller, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { ConfirmPasswordResetReply, ConfirmPasswordResetRequest, RequestPasswordResetRequest, RpcSubject } from '@signoff/contracts';
import { Public, RpcClient } from '@signoff/service-kit';
import type { Request } from 'express';
import { clientAddress } from '../infrastructure/client-address';
import { RPC_CLIENT } from '@signoff/platform';
import { Throttle } from '../throttling/throttle.service';

/**
 * Forgot password. `request` answers 202 `{}` whether or not the email has an account (SECURITY
 * promise 5), after the throttle per email and per source address (every request counts);
 * `confirm` sets the new password with the emailed token and signs every device out (failed
 * tokens count against the source address).
 */
@Controller('v1/auth/password-reset')
export class PasswordResetHttpController {
  constructor(
    @Inject(RPC_CLIENT) private readonly rpc: RpcClient,
    private readonly throttle: Throttle,
  ) {}

  @Public()
  @Post('request')
  @HttpCode(202)
  async request(@Body() body: RequestPasswordResetRequest, @Req() request: Request): Promise<Record<string, never>> {
    const admission = await this.throttle.passwordResetRequest(body.email, clientAddress(request));
    await this.rpc.call(RpcSubject.requestPasswordReset, { email: body.email });
    await admission.succeeded();
    return {};
  }

  /** 200 `{revocationId}`: the sign-out of every device (follow it at `GET /v1/revocations/:id`). */
  @Public()
  @Post('confirm')
  @HttpCode(200)
  async confirm(@Body() body: ConfirmPasswordResetRequest, @Req() request: Request): Promise<ConfirmPasswordResetReply> {
    const admission = await this.throttle.linkToken(clientAddress(request));
    const reply = await this.rpc.call(RpcSubject.confirmPasswordReset, { token: body.token, newPassword: body.newPassword });
    await admission.succeeded();
    return { revocationId: reply.revocationId };
  }
}
