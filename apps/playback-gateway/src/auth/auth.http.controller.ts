import { Body, Controller, Get, HttpCode, Inject, Post, Req, UseInterceptors } from '@nestjs/common';
import {
  CreateAccountReply,
  CreateAccountRequest,
  MeReply,
  Principal,
  RefreshRequest,
  RpcReply,
  RpcSubject,
  SendStepUpEmailCodeReply,
  SignoffError,
  StepUpReply,
  TokenPair,
  withoutForbiddenText,
} from '@signoff/contracts';
import { Public, RpcClient } from '@signoff/service-kit';
import type { Request } from 'express';
import { RefreshCookieInterceptor } from '../account-page/refresh-cookie.interceptor';
import { ProgressReporter } from '../device-channel/progress-reporter.service';
import { clientAddress } from '../infrastructure/client-address';
import { RPC_CLIENT } from '@signoff/platform';
import { Throttle } from '../throttling/throttle.service';
import { AccountManagement } from './account-management.decorator';
import { AllowedWhileViewStale } from './allowed-while-view-stale.decorator';
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
  @UseInterceptors(RefreshCookieInterceptor)
  @HttpCode(200)
  async login(@Body() body: LoginBody, @Req() request: Request): Promise<TokenPair> {
    const userAgent = request.headers['user-agent'];
    const ip = clientAddress(request);
    // Known and unknown emails take the same path here: same count, same answers. A sign-in let
    // past the address's limit (the account signed in from there before) answers a failure as
    // that limit would have: `failed()` turns it into the 429 every other email got.
    const admission = await this.throttle.login(body.email, ip);
    let reply: RpcReply<typeof RpcSubject.login>;
    try {
      reply = await this.rpc.call(RpcSubject.login, {
        ...body,
        ip,
        // Informational, from a header: what breaks the text rules (latin-1 C1 bytes) is dropped, not refused.
        userAgent: typeof userAgent === 'string' ? withoutForbiddenText(userAgent.slice(0, 512)) : undefined,
      });
    } catch (error) {
      throw admission.failed(error);
    }
    await admission.succeeded();
    return { accessToken: reply.accessToken, refreshToken: reply.refreshToken, expiresIn: reply.expiresIn, sessionId: reply.sessionId };
  }

  @Public()
  @Post('auth/refresh')
  @UseInterceptors(RefreshCookieInterceptor)
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

  @AllowedWhileViewStale()
  @Post('auth/logout')
  @UseInterceptors(RefreshCookieInterceptor)
  @HttpCode(204)
  async logout(@CurrentPrincipal() principal: Principal): Promise<void> {
    await this.rpc.call(RpcSubject.logout, { accountId: principal.accountId, sessionId: principal.sessionId });
  }

  /** Allowed while the view is stale: signing out everywhere and changing the password need it. */
  @AllowedWhileViewStale()
  @Post('auth/step-up')
  @HttpCode(200)
  async stepUp(@CurrentPrincipal() principal: Principal, @Body() body: StepUpBody): Promise<StepUpReply> {
    const proofs = [body.password, body.otpCode, body.emailCode].filter((proof) => proof !== undefined);
    if (proofs.length !== 1) {
      throw new SignoffError('VALIDATION_FAILED', 'send one of: your password, a code from your authenticator app, or the code we emailed you', {
        fields: ['password', 'otpCode', 'emailCode'],
      });
    }
    const admission = await this.throttle.stepUp(principal.accountId, principal.sessionId);
    const session = { accountId: principal.accountId, sessionId: principal.sessionId };
    let reply: StepUpReply;
    if (body.otpCode !== undefined) reply = await this.rpc.call(RpcSubject.stepUpWithOtp, { ...session, otpCode: body.otpCode });
    else if (body.emailCode !== undefined) reply = await this.rpc.call(RpcSubject.stepUpWithEmailCode, { ...session, emailCode: body.emailCode });
    else reply = await this.rpc.call(RpcSubject.stepUp, { ...session, password: body.password as string });
    await admission.succeeded();
    return reply;
  }

  /** Mails a six-digit step-up code to the account's address; 202 `{sentTo, expiresIn}`. */
  @AllowedWhileViewStale()
  @Post('auth/step-up/email-code')
  @HttpCode(202)
  async sendStepUpEmailCode(@CurrentPrincipal() principal: Principal): Promise<SendStepUpEmailCodeReply> {
    await this.throttle.stepUpEmailCode(principal.accountId);
    return this.rpc.call(RpcSubject.sendStepUpEmailCode, { accountId: principal.accountId, sessionId: principal.sessionId });
  }

  @AccountManagement()
  @Get('me')
  me(@CurrentPrincipal() principal: Principal): Promise<MeReply> {
    return this.rpc.call(RpcSubject.getMe, { accountId: principal.accountId, sessionId: principal.sessionId });
  }

  /** Answered from the token and the revocation view alone: what a device polls. */
  @Get('auth/whoami')
  whoami(@CurrentPrincipal() principal: Principal): { accountId: string; sessionId: string; deviceId: string; profileId?: string; kids: boolean } {
    return { accountId: principal.accountId, sessionId: principal.sessionId, deviceId: principal.deviceId, profileId: principal.profileId, kids: principal.kids };
  }
}
