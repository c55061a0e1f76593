/**
 * The one registry of NATS subjects and JetStream streams.
 *
 * A subject that has shipped never changes: add a `.v2` beside it instead. Subjects here are
 * bare; at run time they sit under a namespace (`NATS_NAMESPACE`, empty in production) so
 * that test runs sharing one broker never hear each other. Wildcards belong to consumers only.
 */
export const RpcSubject = {
  createAccount: 'auth.accounts.create.v1',
  login: 'auth.login.v1',
  refresh: 'auth.refresh.v1',
  logout: 'auth.logout.v1',
  /** Is the caller's session still signed in? Asked by a gateway whose revocation view is stale. */
  checkSession: 'auth.sessions.check.v1',
  stepUp: 'auth.step-up.v1',
  /** Step-up by a code mailed to the account: send one, then trade it for a reauth token. */
  sendStepUpEmailCode: 'auth.step-up.email-code.send.v1',
  stepUpWithEmailCode: 'auth.step-up.email-code.v1',
  getMe: 'auth.me.get.v1',
  /** Profiles: list, create, rename, delete, and select one for this session (fresh access token). */
  listProfiles: 'auth.profiles.list.v1',
  createProfile: 'auth.profiles.create.v1',
  renameProfile: 'auth.profiles.rename.v1',
  deleteProfile: 'auth.profiles.delete.v1',
  selectProfile: 'auth.profiles.select.v1',
  revokeAllSessions: 'auth.sessions.revoke-all.v1',
  signOutDevice: 'auth.devices.sign-out.v1',
  /** auth-service's record of revocations inside the access-token lifetime (gateway view rebuild). */
  listRecentRevocations: 'auth.revocations.recent.v1',
  changePassword: 'auth.password.change.v1',
  /** Forgot password: always the same empty reply; a mail goes out only for a known email. */
  requestPasswordReset: 'auth.password-reset.request.v1',
  confirmPasswordReset: 'auth.password-reset.confirm.v1',
  /** Sign-in alert's "this wasn't me" link: signs that session out and mails a password reset. */
  notMe: 'auth.sign-in-alerts.not-me.v1',
  /** Two-factor sign-in (TOTP): status, enrol, confirm, disable, new recovery codes, step-up by code. */
  getTwoFactorStatus: 'auth.two-factor.status.get.v1',
  beginTwoFactorEnrolment: 'auth.two-factor.enrol.v1',
  confirmTwoFactor: 'auth.two-factor.confirm.v1',
  disableTwoFactor: 'auth.two-factor.disable.v1',
  regenerateRecoveryCodes: 'auth.two-factor.recovery-codes.regenerate.v1',
  stepUpWithOtp: 'auth.step-up.otp.v1',
  listSigningKeys: 'auth.keys.list.v1',
  /** Operator tool (no HTTP route): start a signing-key rotation now. */
  rotateSigningKeys: 'auth.keys.rotate.v1',
  listDevices: 'devices.list.v1',
  getDeviceHistory: 'devices.history.v1',
  getAccountHistory: 'devices.history.account.v1',
  getRevocationProgress: 'devices.revocation.get.v1',
  /** Download licences per device: issue one, list, delete one. */
  issueDownload: 'devices.downloads.issue.v1',
  listDownloads: 'devices.downloads.list.v1',
  deleteDownload: 'devices.downloads.delete.v1',
} as const;
export type RpcSubject = (typeof RpcSubject)[keyof typeof RpcSubject];

/** Events that must not be lost travel on JetStream; see `Stream` for where each lives. */
export const EventSubject = {
  sessionStarted: 'security.session.started.v1',
  sessionRevoked: 'security.session.revoked.v1',
  accountEpochBumped: 'security.account.epoch_bumped.v1',
  keysRotated: 'security.keys.rotated.v1',
  passwordChanged: 'security.password.changed.v1',
  deviceCut: 'playback.device.cut.v1',
  deviceLogoutAcknowledged: 'device.logout.acknowledged.v1',
  deviceLoggedOutOnReconnect: 'device.logout.reconnected.v1',
} as const;
export type EventSubject = (typeof EventSubject)[keyof typeof EventSubject];

/** Loss-tolerant notifications on core NATS (activity stamps); never anything security-relevant. */
export const NoticeSubject = {
  deviceActivity: 'devices.activity.recorded.v1',
} as const;
export type NoticeSubject = (typeof NoticeSubject)[keyof typeof NoticeSubject];

export interface StreamDefinition {
  /** Bare name; at run time prefixed with the namespace in upper case. */
  name: string;
  subjects: readonly string[];
  /**
   * How long messages are kept. The SECURITY stream must cover the access-token lifetime (a
   * starting gateway replays that far back); a day leaves room for a long broker outage.
   */
  maxAgeSeconds: number;
  /** A second publish of one `Nats-Msg-Id` within this window is dropped (outbox republish safety). */
  duplicateWindowSeconds: number;
  storage: 'file' | 'memory';
}

/**
 * Every JetStream stream and its settings, in one place. Replicas are a property of the
 * deployment (`NATS_STREAM_REPLICAS`), not of the stream. A service starting never lowers a
 * stream's settings below what it finds: it creates what is missing and raises what is below.
 */
export const Stream = {
  /** Revocations and sign-ins: every gateway replays and follows it; the registry consumes it. */
  security: { name: 'SECURITY', subjects: ['security.>'], maxAgeSeconds: 24 * 3600, duplicateWindowSeconds: 120, storage: 'file' },
  /** Per-device progress of revocations, reported by gateways to the registry. */
  progress: { name: 'PROGRESS', subjects: ['playback.device.>', 'device.logout.>'], maxAgeSeconds: 24 * 3600, duplicateWindowSeconds: 120, storage: 'file' },
  /**
   * Events no consumer could read or apply, kept with the reason for an operator: a message
   * that cannot be parsed, or one whose handler kept failing past its redelivery budget.
   */
  parked: { name: 'PARKED', subjects: ['parked.>'], maxAgeSeconds: 30 * 24 * 3600, duplicateWindowSeconds: 120, storage: 'file' },
} as const satisfies Record<string, StreamDefinition>;

/** Header names carried by every event message, for tracing and de-duplication. */
export const EventHeader = {
  eventId: 'Signoff-Event-Id',
  revocationId: 'Signoff-Revocation-Id',
} as const;

/** Headers of a parked message: where it came from and why no consumer could use it. */
export const ParkedHeader = {
  subject: 'Signoff-Parked-Subject',
  stream: 'Signoff-Parked-Stream',
  streamSequence: 'Signoff-Parked-Sequence',
  consumer: 'Signoff-Parked-Consumer',
  reason: 'Signoff-Parked-Reason',
  deliveries: 'Signoff-Parked-Deliveries',
} as const;
