import {
  DEVICE_CHANNEL,
  DeviceChannelClose,
  DeviceChannelMessageType,
  DeviceDescriptor,
  DownloadLicence,
  logoutAck,
  parseGatewayChannelMessage,
  TokenPair,
} from '@signoff/contracts';
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import { ApiError } from './api-error';
import { backoffDelay, BackoffSettings, DEFAULT_BACKOFF } from './backoff';
import { afterFailedAttempt, ChannelIntent, firstAttemptAfterClose, reconnectsAfterClose } from './reconnect-policy';
import { MemoryTokenStore, StoredTokens, TokenStore } from './token-store';

/** A gateway that neither accepts nor refuses the control channel within this time is given up on (and the next one tried). */
const HANDSHAKE_TIMEOUT_MS = 10_000;

export interface ReconnectSettings extends BackoffSettings {
  /** Failed attempts in a row (no channel staying up in between) before giving up; default: never. */
  maxAttempts: number;
}

export interface DeviceClientOptions {
  /** A gateway's (or a load balancer's) base URL, e.g. `http://127.0.0.1:8080`: the one the client starts with. */
  baseUrl?: string;
  /**
   * Several gateways: requests go to the one the client is on; when its control channel closes
   * (a drain, a crash), it reconnects to the next one, in turn. `baseUrl`, if given too, comes first.
   */
  baseUrls?: string[];
  /**
   * Reopening the control channel after it closed for any reason but a sign-out (4001), a
   * replacement by a newer channel of the same session (4002) or `disconnect()`: to the next gateway, after a jittered exponential backoff (`backoffDelay`),
   * refreshing the access token when due or refused. `false` turns it off (the channel stays closed).
   */
  reconnect?: Partial<ReconnectSettings> | false;
  device: DeviceDescriptor;
  store?: TokenStore;
  /** Deletes downloaded titles; called when a logout directive says `purgeDownloads`. */
  purgeDownloads?: () => Promise<void> | void;
  /** Refresh this long before the access token expires. */
  refreshMarginMs?: number;
  /** Sent with every HTTP request (a User-Agent, or a test's X-Forwarded-For behind a trusted proxy). */
  headers?: Record<string, string>;
}

/** What proves the holder is present for an account-wide action: one of the three. */
export type StepUpProof = { password: string } | { otpCode: string } | { emailCode: string };

export interface SignedOutEvent {
  revocationId: string;
  reason: string;
  /** How the device learned it: its control channel, or a refresh after being away. */
  via: 'websocket' | 'refresh' | 'request';
}

interface ClientEvents {
  'signed-out': [SignedOutEvent];
  /**
   * The control channel closed for another reason (network, gateway restart). After code 4002
   * (`DeviceChannelClose.replaced`: the same session opened newer channels) the client does not
   * reconnect on its own; the session is still signed in, and `connect()` opens it again.
   */
  disconnected: [{ code: number; reason: string }];
  /** The control channel opened, on this gateway; `reconnect` when it was reopened by the client itself. */
  connected: [{ baseUrl: string; reconnect: boolean }];
  /** Reconnecting stopped without a channel: `maxAttempts` reached, or a refusal retrying cannot change. */
  'reconnect-failed': [{ attempts: number; error: unknown }];
}

/**
 * What a TV or phone app embeds: sign in, keep the access token fresh (rotating the refresh
 * token), hold the control channel, and obey a logout directive at once — acknowledge it,
 * purge downloads, forget the tokens, tell the app.
 */
export class DeviceClient extends EventEmitter<ClientEvents> {
  private readonly store: TokenStore;
  private readonly downloads = new Map<string, DownloadLicence>();
  private readonly gateways: string[];
  private readonly reconnect?: ReconnectSettings;
  /** Index in `gateways` of the one in use. */
  private current = 0;
  private socket?: WebSocket;
  private openedAt = 0;
  /** The app wants the control channel: `connect()` was called, `disconnect()` not since. */
  private wanted = false;
  private attempts = 0;
  private reconnectTimer?: NodeJS.Timeout;
  /** Between a close and the next open channel (or giving up): an app may show "reconnecting". */
  private reconnectPending = false;
  private refreshBeforeNextAttempt = false;
  private refreshing?: Promise<void>;
  private signedOut?: SignedOutEvent;

  constructor(private readonly options: DeviceClientOptions) {
    super();
    this.store = options.store ?? new MemoryTokenStore();
    this.gateways = [...new Set([options.baseUrl, ...(options.baseUrls ?? [])].filter((url): url is string => Boolean(url)))];
    if (this.gateways.length === 0) throw new Error('DeviceClient needs baseUrl or baseUrls');
    if (options.reconnect !== false) this.reconnect = { ...DEFAULT_BACKOFF, maxAttempts: Infinity, ...options.reconnect };
  }

  /** The gateway in use: requests go there, and the control channel is (or is being) opened there. */
  get baseUrl(): string {
    return this.gateways[this.current];
  }

  /** The control channel closed and the client is working on reopening it. */
  get reconnecting(): boolean {
    return this.reconnectPending;
  }

  get tokens(): StoredTokens | undefined {
    return this.store.load();
  }

  get isSignedIn(): boolean {
    return this.store.load() !== undefined;
  }

  /** Set once the device has been signed out remotely. */
  get signedOutBy(): SignedOutEvent | undefined {
    return this.signedOut;
  }

  /** Signs in; `sessionLifetimeSeconds` (1 h to 3 days) makes it a time-limited sign-in that ends by itself. */
  async signIn(email: string, password: string, options: { sessionLifetimeSeconds?: number } = {}): Promise<StoredTokens> {
    const pair = await this.post<TokenPair>('/v1/auth/login', { email, password, device: this.options.device, ...options }, false);
    this.signedOut = undefined;
    return this.keep(pair);
  }

  /** Rotates the refresh token. A revoked session is signed out here (the offline-device path). */
  refresh(): Promise<void> {
    this.refreshing ??= (async () => {
      const current = this.requireTokens();
      try {
        this.keep(await this.post<TokenPair>('/v1/auth/refresh', { refreshToken: current.refreshToken }, false));
      } catch (error) {
        if (error instanceof ApiError && error.logout) {
          await this.obeyLogout({ revocationId: error.logout.revocationId, reason: error.code, via: 'refresh' });
        } else if (error instanceof ApiError && error.status === 401) {
          this.store.clear();
        }
        throw error;
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  /** An authorised call; refreshes once on an expired access token. */
  async request<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    await this.refreshIfDue();
    try {
      return await this.send<T>(method, path, body, true, headers);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'TOKEN_EXPIRED') {
        await this.refresh();
        return this.send<T>(method, path, body, true, headers);
      }
      if (error instanceof ApiError && error.code === 'SESSION_REVOKED' && error.logout) {
        await this.obeyLogout({ revocationId: error.logout.revocationId, reason: error.code, via: 'request' });
      }
      throw error;
    }
  }

  /**
   * "Who's watching?": this device watches as `profileId` from now on (its new access token
   * carries it; refreshes keep it). Leaving a kids profile for a grown-up one needs a reauth token.
   */
  async selectProfile(profileId: string, reauthToken?: string): Promise<{ profileId: string; kids: boolean }> {
    const reply = await this.request<{ accessToken: string; expiresIn: number; sessionId: string; profileId: string; kids: boolean }>(
      'POST',
      `/v1/profiles/${encodeURIComponent(profileId)}/select`,
      undefined,
      reauthToken ? { 'X-Reauth-Token': reauthToken } : {},
    );
    const current = this.requireTokens();
    this.keep({ accessToken: reply.accessToken, refreshToken: current.refreshToken, expiresIn: reply.expiresIn, sessionId: reply.sessionId });
    return { profileId: reply.profileId, kids: reply.kids };
  }

  whoami(): Promise<{ accountId: string; sessionId: string; deviceId: string; profileId?: string; kids: boolean }> {
    return this.request('GET', '/v1/auth/whoami');
  }

  startPlayback(titleId: string): Promise<{ playbackId: string }> {
    return this.request('POST', '/v1/playback/sessions', { titleId });
  }

  heartbeat(playbackId: string, positionMs: number, state: 'playing' | 'paused' = 'playing'): Promise<unknown> {
    return this.request('POST', `/v1/playback/sessions/${playbackId}/heartbeat`, { positionMs, state });
  }

  /** Downloads a title: takes a licence (409 `DOWNLOAD_LIMIT_REACHED` over the plan's limit) and keeps it locally. */
  async download(titleId: string): Promise<DownloadLicence> {
    const licence = await this.request<DownloadLicence>('POST', '/v1/downloads', { titleId });
    this.downloads.set(licence.licenceId, licence);
    return licence;
  }

  /** Deletes a download: the licence is given back and the local copy forgotten. */
  async deleteDownload(licenceId: string): Promise<void> {
    await this.request('DELETE', `/v1/downloads/${encodeURIComponent(licenceId)}`);
    this.downloads.delete(licenceId);
  }

  /** What this device holds on disk (here: in memory). Emptied when the device is signed out. */
  localDownloads(): DownloadLicence[] {
    return [...this.downloads.values()];
  }

  /** Asks for a step-up code by mail (to the account's address); the code is then a `StepUpProof`. */
  sendStepUpEmailCode(): Promise<{ sentTo: string; expiresIn: number }> {
    return this.request('POST', '/v1/auth/step-up/email-code');
  }

  /** "Sign out of all devices": step-up (a password string or another proof), then revoke. */
  async signOutEverywhere(proof: string | StepUpProof, includeCurrent = true): Promise<{ revocationId: string }> {
    const body = typeof proof === 'string' ? { password: proof } : proof;
    const { reauthToken } = await this.request<{ reauthToken: string }>('POST', '/v1/auth/step-up', body);
    return this.request('POST', '/v1/sessions/revoke-all', { includeCurrent }, { 'X-Reauth-Token': reauthToken });
  }

  /**
   * Opens the control channel. Resolves once it is open; rejects with the gateway's error when
   * the upgrade is refused (e.g. 401 for a bad token). Once open, the client keeps it open (see
   * `reconnect`) until a sign-out or `disconnect()`.
   */
  async connect(): Promise<void> {
    this.wanted = true;
    this.cancelReconnect();
    await this.refreshIfDue();
    await this.open(false);
  }

  /** Waits until the control channel has closed (for whatever reason). */
  closed(): Promise<{ code: number }> {
    const socket = this.socket;
    if (!socket || socket.readyState === WebSocket.CLOSED) return Promise.resolve({ code: 0 });
    return new Promise((resolve) => socket.once('close', (code) => resolve({ code })));
  }

  /** Closes the control channel for good (no reconnect). */
  disconnect(): void {
    this.wanted = false;
    this.cancelReconnect();
    this.socket?.terminate();
    this.socket = undefined;
  }

  private open(reconnect: boolean): Promise<void> {
    const tokens = this.requireTokens();
    const baseUrl = this.baseUrl;
    const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}${DEVICE_CHANNEL.path}`, {
      headers: { Authorization: `Bearer ${tokens.accessToken}` },
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
    });
    this.socket = socket;
    let opened = false;
    // Listeners first: a directive may arrive in the same packet as the upgrade's answer.
    socket.on('message', (data) => void this.onMessage(socket, data.toString()));
    // A 'close' follows every error; a failed upgrade rejects below.
    socket.on('error', () => undefined);
    socket.on('close', (code, reason) => {
      if (this.socket === socket) this.socket = undefined;
      if (opened) this.onChannelClosed(code, reason.toString());
    });
    return new Promise<void>((resolve, reject) => {
      socket.once('open', () => {
        opened = true;
        this.openedAt = Date.now();
        this.reconnectPending = false;
        this.emit('connected', { baseUrl, reconnect });
        resolve();
      });
      socket.once('unexpected-response', (_request, response) => {
        let raw = '';
        response.on('data', (chunk: Buffer) => (raw += chunk.toString()));
        response.on('end', () => {
          let code = 'UNKNOWN';
          let message = `HTTP ${response.statusCode}`;
          try {
            const parsed = JSON.parse(raw) as { error?: { code: string; message: string } };
            code = parsed.error?.code ?? code;
            message = parsed.error?.message ?? message;
          } catch {
            // keep the status alone
          }
          socket.terminate();
          reject(new ApiError(response.statusCode ?? 0, code as ApiError['code'], message));
        });
      });
      socket.once('error', reject);
    });
  }

  private onChannelClosed(code: number, reason: string): void {
    if (code !== DeviceChannelClose.signedOut.code) this.emit('disconnected', { code, reason });
    if (!this.reconnect || !reconnectsAfterClose(code, this.intent())) return;
    this.attempts = firstAttemptAfterClose(Date.now() - this.openedAt, this.attempts);
    this.scheduleReconnect(undefined);
  }

  private scheduleReconnect(lastError: unknown): void {
    const settings = this.reconnect as ReconnectSettings;
    if (this.attempts >= settings.maxAttempts) return this.giveUp(lastError);
    const delayMs = backoffDelay(this.attempts, settings);
    this.attempts++;
    this.reconnectPending = true;
    this.reconnectTimer = setTimeout(() => void this.attemptReconnect(), delayMs);
  }

  private giveUp(error: unknown): void {
    this.reconnectPending = false;
    this.emit('reconnect-failed', { attempts: this.attempts, error });
  }

  /** One attempt, on the next gateway in turn (the one that just closed is the last tried). */
  private async attemptReconnect(): Promise<void> {
    this.reconnectTimer = undefined;
    this.current = (this.current + 1) % this.gateways.length;
    const refreshFirst = this.refreshBeforeNextAttempt;
    this.refreshBeforeNextAttempt = false;
    try {
      if (refreshFirst) await this.refresh();
      else await this.refreshIfDue();
      if (!this.wanted) return;
      await this.open(true);
    } catch (error) {
      const intent = this.intent();
      // Signed out meanwhile (the refresh said so: 'signed-out' was emitted), no longer wanted, or connect() took over.
      if (!intent.wanted || intent.signedOut || this.reconnectTimer) {
        if (!this.reconnectTimer) this.reconnectPending = false;
        return;
      }
      const next = intent.signedIn ? afterFailedAttempt(error, refreshFirst) : 'give-up';
      if (next === 'give-up') return this.giveUp(error);
      this.refreshBeforeNextAttempt = next === 'refresh-then-retry';
      this.scheduleReconnect(error);
    }
  }

  private cancelReconnect(): void {
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.reconnectPending = false;
  }

  private intent(): ChannelIntent {
    return { wanted: this.wanted, signedIn: this.isSignedIn, signedOut: this.signedOut !== undefined };
  }

  private async onMessage(socket: WebSocket, raw: string): Promise<void> {
    const message = parseGatewayChannelMessage(raw);
    if (message?.type !== DeviceChannelMessageType.logout) return;
    // Acknowledge first, while the socket is still open, then clean up.
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(logoutAck(message.revocationId)));
    await this.obeyLogout({ revocationId: message.revocationId, reason: message.reason, via: 'websocket' });
  }

  private async obeyLogout(event: SignedOutEvent): Promise<void> {
    if (this.signedOut) return;
    this.signedOut = event;
    this.store.clear();
    try {
      // The directive always says purgeDownloads: the licences are revoked; the files must go.
      this.downloads.clear();
      await this.options.purgeDownloads?.();
    } finally {
      this.emit('signed-out', event);
    }
  }

  private async refreshIfDue(): Promise<void> {
    const tokens = this.store.load();
    if (tokens && tokens.accessExpiresAt - Date.now() < (this.options.refreshMarginMs ?? 30_000)) await this.refresh();
  }

  private requireTokens(): StoredTokens {
    const tokens = this.store.load();
    if (!tokens) throw new ApiError(401, 'TOKEN_MISSING', this.signedOut ? 'this device was signed out' : 'sign in first');
    return tokens;
  }

  private keep(pair: TokenPair): StoredTokens {
    const tokens: StoredTokens = {
      accessToken: pair.accessToken,
      refreshToken: pair.refreshToken,
      sessionId: pair.sessionId,
      accessExpiresAt: Date.now() + pair.expiresIn * 1000,
    };
    this.store.save(tokens);
    return tokens;
  }

  private post<T>(path: string, body: unknown, authorised: boolean): Promise<T> {
    return this.send<T>('POST', path, body, authorised, {});
  }

  private async send<T>(method: string, path: string, body: unknown, authorised: boolean, headers: Record<string, string>): Promise<T> {
    const all: Record<string, string> = { ...this.options.headers, ...headers };
    if (body !== undefined) all['Content-Type'] = 'application/json';
    if (authorised) all.Authorization = `Bearer ${this.requireTokens().accessToken}`;
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: all,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw await ApiError.from(response);
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }
}
