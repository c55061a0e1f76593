import { SetMetadata } from '@nestjs/common';

export const IS_ALLOWED_WHILE_VIEW_STALE = 'signoff:allowedWhileViewStale';

/**
 * Marks a route that signs someone out (logout, one device, every device, password change, and
 * the step-up they need): it must work while the broker is away. While this gateway's revocation
 * view is stale, `AccessTokenGuard` then asks auth-service whether the caller's session is still
 * signed in (auth-service writes every sign-out before its event leaves) instead of answering
 * 503; the events reach the gateways through the outbox when JetStream is back. Everything else
 * (reads, streams, the WebSocket) keeps failing closed.
 */
export const AllowedWhileViewStale = (): MethodDecorator => SetMetadata(IS_ALLOWED_WHILE_VIEW_STALE, true);
