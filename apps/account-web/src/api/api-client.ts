import { ACCOUNT_PAGE } from '@signoff/contracts';
import type {
  ConfirmPasswordResetReply,
  DeviceDescriptor,
  ListDevicesReply,
  ListProfilesReply,
  MeReply,
  NotMeReply,
  RevocationAccepted,
  RevocationProgressReply,
  SelectProfileReply,
  SendStepUpEmailCodeReply,
  StepUpReply,
} from '@signoff/contracts';
import { ApiError, apiErrorOf } from './api-error';

export interface WhoAmI {
  accountId: string;
  sessionId: string;
  deviceId: string;
  profileId?: string;
  kids: boolean;
}

/** The proof a step-up takes: the password, or the code from the mail. */
export type StepUpProof = { password: string } | { emailCode: string } | { otpCode: string };

interface AccessToken {
  accessToken: string;
  expiresIn: number;
}

/**
 * The page's view of the gateway. The access token lives in this object only (memory); the
 * refresh token lives in an HttpOnly cookie the script never sees, sent by the browser to the
 * refresh route alone. Every request carries the page's marker header.
 */
export class ApiClient {
  private accessToken: string | null = null;
  private refreshing: Promise<void> | null = null;
  /** Whether this page has held a session (so its end is news, not the first visit). */
  private hadSession = false;

  /** Called once when the session behind the page ends (revoked elsewhere, expired). */
  onSessionEnded: (error: ApiError) => void = () => undefined;

  get signedIn(): boolean {
    return this.accessToken !== null;
  }

  async signIn(email: string, password: string, device: DeviceDescriptor, otpCode?: string): Promise<void> {
    const reply = await this.send<AccessToken>('POST', '/v1/auth/login', { email, password, device, ...(otpCode ? { otpCode } : {}) }, { auth: false });
    this.accessToken = reply.accessToken;
    this.hadSession = true;
  }

  /** Restores the sign-in from the cookie (page reload); false when there is none. */
  async resume(): Promise<boolean> {
    try {
      await this.refresh();
      return true;
    } catch (error) {
      if (error instanceof ApiError && (error.endsSession || error.code === 'CROSS_SITE_REQUEST')) return false;
      throw error;
    }
  }

  async signOut(): Promise<void> {
    try {
      await this.send('POST', '/v1/auth/logout');
    } finally {
      this.accessToken = null;
      this.hadSession = false;
    }
  }

  whoami = (): Promise<WhoAmI> => this.send('GET', '/v1/auth/whoami');
  me = (): Promise<MeReply> => this.send('GET', '/v1/me');
  devices = (): Promise<ListDevicesReply> => this.send('GET', '/v1/devices');
  profiles = (): Promise<ListProfilesReply> => this.send('GET', '/v1/profiles');
  progress = (revocationId: string): Promise<RevocationProgressReply> => this.send('GET', `/v1/revocations/${encodeURIComponent(revocationId)}`);
  signOutDevice = (deviceId: string): Promise<RevocationAccepted> => this.send('POST', `/v1/devices/${encodeURIComponent(deviceId)}/sign-out`);
  sendStepUpEmailCode = (): Promise<SendStepUpEmailCodeReply> => this.send('POST', '/v1/auth/step-up/email-code');
  stepUp = (proof: StepUpProof): Promise<StepUpReply> => this.send('POST', '/v1/auth/step-up', proof);

  // The links in mails: no session, the token from the link is the credential.
  requestPasswordReset = (email: string): Promise<Record<string, never>> => this.send('POST', '/v1/auth/password-reset/request', { email }, { auth: false });
  confirmPasswordReset = (token: string, newPassword: string): Promise<ConfirmPasswordResetReply> =>
    this.send('POST', '/v1/auth/password-reset/confirm', { token, newPassword }, { auth: false });
  notMe = (token: string): Promise<NotMeReply> => this.send('POST', '/v1/auth/not-me', { token }, { auth: false });

  /** Signs out every device but this browser, which stays to show the progress. */
  signOutEverywhere(reauthToken: string): Promise<RevocationAccepted> {
    return this.send('POST', '/v1/sessions/revoke-all', { includeCurrent: false }, { headers: { 'X-Reauth-Token': reauthToken } });
  }

  changePassword(reauthToken: string, currentPassword: string, newPassword: string, signOutAllDevices: boolean): Promise<{ revocationId?: string }> {
    return this.send('POST', '/v1/account/password', { currentPassword, newPassword, signOutAllDevices }, { headers: { 'X-Reauth-Token': reauthToken } });
  }

  async selectProfile(profileId: string, reauthToken?: string): Promise<SelectProfileReply> {
    const reply = await this.send<SelectProfileReply>('POST', `/v1/profiles/${encodeURIComponent(profileId)}/select`, undefined, {
      headers: reauthToken ? { 'X-Reauth-Token': reauthToken } : {},
    });
    this.accessToken = reply.accessToken;
    return reply;
  }

  /**
   * One refresh at a time across every tab of this browser (Web Locks): tabs share the cookie,
   * and a refresh token presented twice counts as stolen and ends the session.
   */
  private refresh(): Promise<void> {
    this.refreshing ??= withBrowserLock('signoff-refresh', async () => {
      const reply = await this.send<AccessToken>('POST', ACCOUNT_PAGE.refreshCookiePath, {}, { auth: false });
      this.accessToken = reply.accessToken;
      this.hadSession = true;
    }).finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async send<T>(method: string, path: string, body?: unknown, options: { auth?: boolean; headers?: Record<string, string>; retried?: boolean } = {}): Promise<T> {
    const auth = options.auth ?? true;
    if (auth && !this.accessToken) await this.refresh();
    const headers: Record<string, string> = { [ACCOUNT_PAGE.clientHeader]: ACCOUNT_PAGE.clientName, Accept: 'application/json', ...options.headers };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (auth && this.accessToken) headers.Authorization = `Bearer ${this.accessToken}`;
    let response: Response;
    try {
      response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin', cache: 'no-store' });
    } catch {
      throw new ApiError(0, 'NETWORK', 'the service could not be reached; check your connection');
    }
    if (response.ok) return (response.status === 204 ? undefined : await response.json()) as T;
    const error = await apiErrorOf(response);
    if (auth && !options.retried && (error.code === 'TOKEN_EXPIRED' || error.code === 'TOKEN_INVALID')) {
      this.accessToken = null;
      await this.refresh();
      return this.send<T>(method, path, body, { ...options, retried: true });
    }
    if (error.endsSession) {
      this.accessToken = null;
      if (this.hadSession) {
        this.hadSession = false;
        this.onSessionEnded(error);
      }
    }
    throw error;
  }
}

async function withBrowserLock(name: string, work: () => Promise<void>): Promise<void> {
  if (typeof navigator !== 'undefined' && navigator.locks) {
    await navigator.locks.request(name, work);
    return;
  }
  await work();
}
