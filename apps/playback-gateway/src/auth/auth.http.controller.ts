import { Body, Controller, Get, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { CreateAccountRequest, CreateAccountReply, MeReply, Principal, RefreshRequest, RpcSubject, SignoffError, StepUpReply, TokenPair } from '@signoff/contracts';
import { Public, RpcClient } from '@signoff/service-kit';
import type { Request } from 'express';
import { ProgressReporter } from '../device-channel/progress-reporter.service';
import { RPC_CLIENT } from '../infrastructure/tokens';
import { Throttle } from '../throttling/throttle.service';
import { LoginBody, StepUpBody } from './auth.dto';
import { CurrentPrincipal } from './current-principal.decorator';

/**
 * Sign-up, sign-in, token refresh, sign-out and step-up: thin calls to auth-service. Sign-up,
 * sign-in and step-up pass the throttle first; a refused attempt never reaches auth-service.
 */
@Controller('v1')
export class AuthHttpController {
  constructor(
    @Inject(RPC_CLIENT) private readonly rpc: RpcClient,
    private readonly progress: ProgressReporter,
    private readonly throttle: Throttle,
  ) {}

  @Public()
  @Post('accounts')
  @HttpCode(201)
  async createAccount(@Body() body: CreateAccountRequest, @Req() request: Request): Promise<CreateAccountReply> {
    const admission = await this.throttle.signUp(clientAddress(request));
    const reply = await this.rpc.call(RpcSubject.createAccount, body);
    await admission.succeeded();
    return reply;
  }

  @Public()
  @Post('auth/login')
  @HttpCode(200)
  async login(@Body() body: LoginBody, @Req() request: Request): Promise<TokenPair> {
    const userAgent = request.headers['user-agent'];
    const ip = clientAddress(request);
    // Known and unknown emails take the same path here: same count, same answers.
    const admission = await this.throttle.login(body.email, ip);
    const reply = await this.rpc.call(RpcSubject.login, {
      ...body,
      ip,
      userAgent: typeof userAgent === 'string' ? userAgent.slice(0, 512) : undefined,
    });
    await admission.succeeded();
    return { accessToken: reply.accessToken, refreshToken: reply.refreshToken, expiresIn: reply.expiresIn, sessionId: reply.sessionId };
  }

  @Public()
  @Post('auth/refresh')
  @HttpCode(200)
  async refresh(@Body() body: RefreshRequest): Promise<TokenPair> {
    try {
      return await this.rpc.call(RpcSubject.refresh, body);
    } catch (error) {
      // A device that was offline when it was signed out learns it here: record that it did.
      if (error instanceof SignoffError && error.code === 'SESSION_REVOKED') {
        const { logout, accountId, deviceId, sessionId } = error.details;
        if (logout && accountId && deviceId && sessionId) {
          this.progress.loggedOutOnReconnect({ revocationId: logout.revocationId, accountId, deviceId, sessionId }, 'refresh');
        }
      }
      throw error;
    }
  }

  @Post('auth/logout')
  @HttpCode(204)
  async logout(@CurrentPrincipal() principal: Principal): Promise<void> {
    await this.rpc.call(RpcSubject.logout, { accountId: principal.accountId, sessionId: principal.sessionId });
  }

  @Post('auth/step-up')
  @HttpCode(200)
  async stepUp(@CurrentPrincipal() principal: Principal, @Body() body: StepUpBody): Promise<StepUpReply> {
    if ((body.password === undefined) === (body.otpCode === undefined)) {
      throw new SignoffError('VALIDATION_FAILED', 'send either your password or a code from your authenticator app', { fields: ['password', 'otpCode'] });
    }
    const admission = await this.throttle.stepUp(principal.accountId, principal.sessionId);
    const session = { accountId: principal.accountId, sessionId: principal.sessionId };
    const reply =
      body.otpCode !== undefined
        ? await this.rpc.call(RpcSubject.stepUpWithOtp, { ...session, otpCode: body.otpCode })
        : await this.rpc.call(RpcSubject.stepUp, { ...session, password: body.password as string });
    await admission.succeeded();
    return reply;
  }

  @Get('me')
  me(@CurrentPrincipal() principal: Principal): Promise<MeReply> {
    return this.rpc.call(RpcSubject.getMe, { accountId: principal.accountId, sessionId: principal.sessionId });
  }

  /** Answered from the token and the revocation view alone: what a device polls. */
  @Get('auth/whoami')
  whoami(@CurrentPrincipal() principal: Principal): { accountId: string; sessionId: string; deviceId: string; profileId?: string } {
    return { accountId: principal.accountId, sessionId: principal.sessionId, deviceId: principal.deviceId, profileId: principal.profileId };
  }
}

/** The caller's address as Express sees it (proxy headers are trusted only when configured). */
function clientAddress(request: Request): string | undefined {
  const ip = request.ip ?? request.socket.remoteAddress;
  if (!ip) return undefined;
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}
