import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { NotMeReply, NotMeRequest, RpcSubject } from '@signoff/contracts';
import { Public, RpcClient } from '@signoff/service-kit';
import { RPC_CLIENT } from '../infrastructure/tokens';

/**
 * The sign-in alert's "this wasn't me" link. Public: whoever holds the mailed token acts (it is
 * 256 bits, single use, bound to one session), so no access token is asked for. One unit of work
 * in auth-service signs that session out and mails a password-reset link.
 */
@Controller('v1/auth')
export class SignInAlertsHttpController {
  constructor(@Inject(RPC_CLIENT) private readonly rpc: RpcClient) {}

  /** 200 `{revocationId}` (follow it at `GET /v1/revocations/:id`); 400 `NOT_ME_TOKEN_INVALID`. */
  @Public()
  @Post('not-me')
  @HttpCode(200)
  async notMe(@Body() body: NotMeRequest): Promise<NotMeReply> {
    const reply = await this.rpc.call(RpcSubject.notMe, { token: body.token });
    return { revocationId: reply.revocationId };
  }
}
