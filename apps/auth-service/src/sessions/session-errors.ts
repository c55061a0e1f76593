import { SignoffError } from '@signoff/contracts';
import { Session } from './session.entity';

/**
 * The answer for anything a revoked session attempts: the logout directive (so the device
 * purges downloads) and whose session it was (so the gateway can record the device as logged
 * out on reconnect).
 */
export function sessionRevokedError(session: Session): SignoffError {
  return new SignoffError('SESSION_REVOKED', 'this session has been signed out', {
    ...(session.revocationId ? { logout: { revocationId: session.revocationId, purgeDownloads: true as const } } : {}),
    accountId: session.accountId,
    deviceId: session.deviceId,
    sessionId: session.id,
  });
}

/** The session a verified token names does not exist (or belongs to another account). */
export function unknownSessionError(): SignoffError {
  return new SignoffError('TOKEN_INVALID', 'the session of this token is unknown');
}
