import { Body, Controller, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { NotMeReply, NotMeRequest, RpcSubject } from '@signoff/contracts';
import { Public, RpcClient } from '@signoff/service-kit';
import type { Request } from 'express';
import { clientAddress } from '../infrastructure/client-address';
import { RPC_CLIENT } from '@signoff/platform';
import { Throttle } from '../throttling/throttle.service';

/**
 * The sign-in alert's "this wasn't me" link. Public: whoever holds the mailed token acts (it is
 * 256 bits, single use, bound to one session), so no access token is asked for; failed tokens
 * count against the source address. One unit of work in auth-service signs that session out and
 * mails a password-reset link.
 */
@Controller('v1/auth')
export class SignInAlertsHttpController {
  constructor(
    @Inject(RPC_CLIENT) private readonly rpc: RpcClient,
    private readonly throttle: Throttle,
  ) {}

  /**
   * 200 `{revocationId, signIn?, resetMailedTo?}`: the revocation (follow it at `GET /v1/revocations/:id`),
   * the device signed out with when and where it had signed in, and where the reset link went
   * (masked); the last two only from an auth-service that sends them. 400 `NOT_ME_TOKEN_INVALID`.
   */
  @Public()
  @Post('not-me')
  @HttpCode(200)
  async notMe(@Body() body: NotMeRequest, @Req() request: Request): Promise<NotMeReply> {
    const admission = await this.throttle.linkToken(clientAddress(request));
    const reply = await this.rpc.call(RpcSubject.notMe, { token: body.token });
    await admission.succeeded();
    return {
      revocationId: reply.revocationId,
      ...(reply.signIn ? { signIn: reply.signIn } : {}),
      ...(reply.resetMailedTo ? { resetMailedTo: reply.resetMailedTo } : {}),
    };
  }
}
