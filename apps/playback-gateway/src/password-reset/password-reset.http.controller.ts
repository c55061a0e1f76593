import { Body, Controller, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { ConfirmPasswordResetReply, ConfirmPasswordResetRequest, RequestPasswordResetRequest, RpcSubject } from '@signoff/contracts';
import { Public, RpcClient } from '@signoff/service-kit';
import type { Request } from 'express';
import { RPC_CLIENT } from '../infrastructure/tokens';
import { Throttle } from '../throttling/throttle.service';

/**
 * Forgot password. `request` answers 202 `{}` whether or not the email has an account (SECURITY
 * promise 5), after the throttle per email and per source address (every request counts);
 * `confirm` sets the new password with the emailed token and signs every device out.
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
  async confirm(@Body() body: ConfirmPasswordResetRequest): Promise<ConfirmPasswordResetReply> {
    const reply = await this.rpc.call(RpcSubject.confirmPasswordReset, { token: body.token, newPassword: body.newPassword });
    return { revocationId: reply.revocationId };
  }
}

/** The caller's address as Express sees it (proxy headers are trusted only when configured). */
function clientAddress(request: Request): string | undefined {
  const ip = request.ip ?? request.socket.remoteAddress;
  if (!ip) return undefined;
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}
