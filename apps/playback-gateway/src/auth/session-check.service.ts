import { Inject, Injectable, Logger } from '@nestjs/common';
import { Principal, RpcSubject, SignoffError } from '@signoff/contracts';
import { RpcClient } from '@signoff/service-kit';
import { RPC_CLIENT } from '@signoff/platform';
import { RevocationFeed } from '../security-events/revocation-feed.service';
import { sessionRefOf } from './current-principal.decorator';

/**
 * The revocation half of authentication, shared by HTTP and the device WebSocket: a stale view
 * fails closed, a revoked session is told to sign out (with the revocation that did it). Routes
 * allowed while the view is stale (`@AllowedWhileViewStale()`) ask auth-service instead.
 */
@Injectable()
export class SessionCheck {
  private readonly logger = new Logger(SessionCheck.name);

  constructor(
    private readonly feed: RevocationFeed,
    @Inject(RPC_CLIENT) private readonly rpc: RpcClient,
  ) {}

  get viewIsCurrent(): boolean {
    return this.feed.isCurrent();
  }

  assertSignedIn(principal: Principal): void {
    if (!this.feed.isCurrent()) throw viewStale();
    this.refuseIfKnownRevoked(principal);
  }

  /**
   * For a route allowed while the view is stale: auth-service's own record of the session (a
   * revocation the stale view already holds still refuses at once). A revoked session is refused
   * as always (401 `SESSION_REVOKED`); when auth-service cannot answer either, the answer stays
   * 503 `REVOCATION_VIEW_STALE`.
   */
  async assertSignedInWithAuthService(principal: Principal): Promise<void> {
    this.refuseIfKnownRevoked(principal);
    try {
      await this.rpc.call(RpcSubject.checkSession, sessionRefOf(principal));
    } catch (error) {
      if (error instanceof SignoffError && (error.code === 'SESSION_REVOKED' || error.code === 'TOKEN_INVALID')) throw error;
      this.logger.warn(`session not confirmed while the view is stale sessionId=${principal.sessionId}: ${(error as Error).message}`);
      throw new SignoffError('REVOCATION_VIEW_STALE', 'sign-in state cannot be confirmed right now (auth-service does not answer either); try again shortly');
    }
  }

  private refuseIfKnownRevoked(principal: Principal): void {
    const revocationId = this.feed.view.revocationFor(principal);
    if (revocationId) {
      throw new SignoffError('SESSION_REVOKED', 'this device has been signed out', {
        logout: { revocationId, purgeDownloads: true },
        accountId: principal.accountId,
        deviceId: principal.deviceId,
        sessionId: principal.sessionId,
      });
    }
  }
}

function viewStale(): SignoffError {
  return new SignoffError('REVOCATION_VIEW_STALE', 'sign-in state cannot be confirmed right now; try again shortly');
}
