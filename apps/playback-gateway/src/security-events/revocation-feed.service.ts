import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EventSubject, KeysRotatedV1, RevocationReason, Stream } from '@signoff/contracts';
import { InboundEvent, NatsNamespace, StreamFollower } from '@signoff/messaging';
import { Readiness } from '@signoff/service-kit';
import { RevocationView } from '@signoff/token-verification';
import { NatsConnection } from 'nats';
import { GatewayConfig } from '../config/gateway.config';
import { GATEWAY_CONFIG, NATS_CONNECTION, NATS_NAMESPACE } from '../infrastructure/tokens';
import { revocationRetentionMs } from './retention';

/** A revocation as the rest of the gateway needs it: whom to cut. */
export interface AppliedRevocation {
  revocationId: string;
  accountId: string;
  sessionIds: readonly string[];
  deviceIds: readonly string[];
  reason: RevocationReason;
}

const REPLAY_TIMEOUT_MS = 30_000;

/**
 * Keeps this replica's revocation view complete and current. At start it replays the SECURITY
 * stream over the access-token lifetime (older tokens have expired anyway) and only then lets
 * the app listen; afterwards it follows the stream live. While NATS is unreachable, or after a
 * reconnect until the view has caught up with the stream again, the view is *not current* and
 * protected routes fail closed (503 REVOCATION_VIEW_STALE).
 */
@Injectable()
export class RevocationFeed implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RevocationFeed.name);
  readonly view: RevocationView;
  private follower?: StreamFollower;
  private readonly listeners: Array<(revocation: AppliedRevocation) => void> = [];
  private readonly keyListeners: Array<(rotation: KeysRotatedV1) => void> = [];
  private connected = true;
  private resyncing = false;
  private pruneTimer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(NATS_NAMESPACE) private readonly namespace: NatsNamespace,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    readiness: Readiness,
  ) {
    this.view = new RevocationView(revocationRetentionMs(config.ACCESS_TOKEN_TTL_SECONDS));
    readiness.register({ name: 'revocation-view', check: () => this.isCurrent() });
  }

  /** True when every revocation published so far has been applied. */
  isCurrent(): boolean {
    return this.follower?.hasCaughtUp === true && this.connected && !this.resyncing;
  }

  /** Called for every revocation that arrives after the initial replay. */
  onRevocation(listener: (revocation: AppliedRevocation) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Called for every `security.keys.rotated.v1`, replayed ones included: a rotation published
   * while this process was starting may not be in the keys it loaded, and a reload is cheap.
   */
  onKeysRotated(listener: (rotation: KeysRotatedV1) => void): void {
    this.keyListeners.push(listener);
  }

  async onApplicationBootstrap(): Promise<void> {
    void this.watchConnection();
    const startTime = new Date(Date.now() - revocationRetentionMs(this.config.ACCESS_TOKEN_TTL_SECONDS));
    this.follower = new StreamFollower(this.nc, this.namespace, { stream: Stream.security, filterSubject: 'security.>', startTime }, (event) =>
      this.apply(event),
    );
    const started = Date.now();
    await this.follower.start();
    const caughtUp = await Promise.race([
      this.follower.caughtUp.then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), REPLAY_TIMEOUT_MS).unref()),
    ]);
    const { sessions, accounts } = this.view.size;
    if (caughtUp) this.logger.log(`revocation view rebuilt in ${Date.now() - started} ms (${sessions} sessions, ${accounts} accounts)`);
    else this.logger.error('revocation view not rebuilt in time; protected routes answer 503 until it is');
    this.pruneTimer = setInterval(() => this.view.prune(), 30_000);
    this.pruneTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    await this.follower?.stop();
  }

  private apply(event: InboundEvent): void {
    if (event.subject === EventSubject.keysRotated) return this.keysRotated(event.payload);
    let applied: AppliedRevocation | undefined;
    if (event.subject === EventSubject.sessionRevoked) {
      this.view.applySessionRevoked(event.payload);
      applied = event.payload;
    } else if (event.subject === EventSubject.accountEpochBumped) {
      if (this.view.applyEpochBumped(event.payload)) applied = event.payload;
    }
    // Replayed revocations concern no connection of this fresh process: only live ones cut.
    if (!applied || !this.follower?.hasCaughtUp) return;
    for (const listener of this.listeners) {
      try {
        listener(applied);
      } catch (error) {
        this.logger.error(`revocation ${applied.revocationId}: listener failed: ${(error as Error).message}`);
      }
    }
  }

  private keysRotated(rotation: KeysRotatedV1): void {
    for (const listener of this.keyListeners) {
      try {
        listener(rotation);
      } catch (error) {
        this.logger.error(`key rotation to kid=${rotation.kid}: listener failed: ${(error as Error).message}`);
      }
    }
  }

  private async watchConnection(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === 'disconnect') {
        this.connected = false;
        this.logger.warn('lost NATS: protected routes fail closed until the view is current again');
      } else if (status.type === 'reconnect') {
        this.connected = true;
        this.resyncing = true;
        void this.resync();
      }
    }
  }

  /** After a reconnect, the view is current once it has applied everything stored meanwhile. */
  private async resync(): Promise<void> {
    const started = Date.now();
    while (!this.stopped && this.connected) {
      try {
        if (await this.follower?.syncedWithStream()) {
          this.resyncing = false;
          this.logger.log(`revocation view current again after ${Date.now() - started} ms`);
          return;
        }
      } catch {
        // the consumer is being recreated; ask again shortly
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
