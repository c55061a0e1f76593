import { Injectable } from '@nestjs/common';
import { Principal, SignoffError } from '@signoff/contracts';
import { RevocationFeed } from '../security-events/revocation-feed.service';

/**
 * The revocation half of authentication, shared by HTTP and the device WebSocket: a stale view
 * fails closed, a revoked session is told to sign out (with the revocation that did it).
 */
@Injectable()
export class SessionCheck {
  constructor(private readonly feed: RevocationFeed) {}

  assertSignedIn(principal: Principal): void {
    if (!this.feed.isCurrent()) {
      throw new SignoffError('REVOCATION_VIEW_STALE', 'sign-in state cannot be confirmed right now; try again shortly');
    }
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
