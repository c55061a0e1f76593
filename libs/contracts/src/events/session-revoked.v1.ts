import { RevocationEvent } from './revocation-event';

/**
 * `security.session.revoked.v1`: these sessions are dead. Gateways add each `sessionId` to the
 * revoked set until its access tokens would have expired anyway.
 */
export class SessionRevokedV1 extends RevocationEvent {}
