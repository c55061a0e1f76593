import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { EventSubject, KeysRotatedV1, RevocationReason, revocationRetentionMs, Stream } from '@signoff/contracts';
import { NatsHealth, NatsNamespace, StreamFollower, StreamWatch, streamCovers, TypedEvent } from '@signoff/messaging';
import { Readiness, RpcClient } from '@signoff/service-kit';
import { RevocationView } from '@signoff/token-verification';
import { NatsConnection, StreamInfo } from 'nats';
import { GatewayConfig } from '../config/gateway.config';
import { GATEWAY_CONFIG } from '../infrastructure/tokens';
import { NATS_CONNECTION, RPC_CLIENT } from '@signoff/platform';
import { RevocationRecord } from './revocation-record';

/** A revocation as the rest of the gateway needs it: whom to cut. */
export interface AppliedRevocation {
  revocationId: string;
  accountId: string;
  sessionIds: readonly string[];
  deviceIds: readonly string[];
  reason: RevocationReason;
}

const REPLAY_TIMEOUT_MS = 30_000;
/** Looks at the stream (`STREAM_CHECK_INTERVAL_MS` apart) without the follower moving while the stream grew: stalled. */
const STALLED_LOOKS = 2;

/**
 * Keeps this replica's revocation view complete and current. At start it replays the SECURITY
 * stream over the access-token lifetime (older tokens have expired anyway) and only then lets
 * the app listen; afterwards it follows the stream live.
 *
 * The stream is not the only memory: when it is younger than the access-token lifetime (it was
 * recreated after losing its data, or the deployment is new), the view is also loaded from
 * auth-service's own record of recent revocations. When the stream is recreated under a running
 * gateway, or the follower stops receiving while the stream grows, the view is rebuilt the same
 * way. Until then, while NATS is unreachable, and after a reconnect until the view has caught up,
 * the view is *not current* and protected routes fail closed (503 REVOCATION_VIEW_STALE).
 */
@Injectable()
export class RevocationFeed implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RevocationFeed.name);
  readonly view: RevocationView;
  private readonly retentionMs: number;
  private readonly follower: StreamFollower;
  private readonly record: RevocationRecord;
  private readonly listeners: Array<(revocation: AppliedRevocation) => void> = [];
  private readonly keyListeners: Array<(rotation: KeysRotatedV1) => void> = [];
  private resyncing = false;
  /** A rebuild in progress (its id): the view may lack revocations until it ends. */
  private rebuilding = 0;
  private rebuilds = 0;
  private stalled = { position: -1, looks: 0 };
  private pruneTimer?: NodeJS.Timeout;
  private stopped = false;
  /** Before the first build ends this process holds no connection and no stream: nobody to tell. */
  private listening = false;

  constructor(
    @Inject(NATS_CONNECTION) nc: NatsConnection,
    namespace: NatsNamespace,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    @Inject(RPC_CLIENT) rpc: RpcClient,
    private readonly health: NatsHealth,
    private readonly watch: StreamWatch,
    readiness: Readiness,
  ) {
    this.retentionMs = revocationRetentionMs(config.ACCESS_TOKEN_TTL_SECONDS);
    this.view = new RevocationView(this.retentionMs);
    this.follower = new StreamFollower(nc, namespace, { stream: Stream.security, filterSubject: 'security.>', consumerName: 'playback-gateway' }, (event) =>
      this.apply(event),
    );
    this.record = new RevocationRecord(rpc, (event) => this.apply(event));
    readiness.register({ name: 'revocation-view', check: () => this.isCurrent() });
  }

  /** Sequence of the last SECURITY message applied (0 before the first). */
  get streamPosition(): number {
    return this.follower.position;
  }

  /** True when every revocation published so far has been applied. */
  isCurrent(): boolean {
    return this.follower.hasCaughtUp && this.health.healthy && !this.resyncing && this.rebuilding === 0;
  }

  /**
   * Called for every revocation applied once the first build is over: live ones, and those a
   * rebuild finds (cutting is idempotent: it checks the view for each connection it holds).
   */
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
    this.health.onChange((connected) => {
      if (connected) void this.resync();
      else this.logger.warn('lost NATS: protected routes fail closed until the view is current again');
    });
    this.watch.onReset((reset) => {
      if (reset.definition.name === Stream.security.name) void this.rebuild('the SECURITY stream was recreated');
    });
    this.watch.onInfo((info) => this.checkFollowerMoves(info));
    const started = Date.now();
    const built = await Promise.race([
      this.rebuild().then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), REPLAY_TIMEOUT_MS).unref()),
    ]);
    this.listening = true;
    const { sessions, accounts } = this.view.size;
    if (built) this.logger.log(`revocation view rebuilt in ${Date.now() - started} ms (${sessions} sessions, ${accounts} accounts)`);
    else this.logger.error('revocation view not rebuilt in time; protected routes answer 503 until it is');
    this.pruneTimer = setInterval(() => this.view.prune(), 30_000);
    this.pruneTimer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    await this.follower.stop();
  }

  /**
   * Replays the stream over the retention window and, when the stream cannot hold all of that
   * window, loads auth-service's record as well. The view only ever gains revocations (it is
   * monotonic), so a rebuild never lets a revoked token back in, even half-way.
   */
  /** @param why what made a running gateway rebuild; absent for the first build at start. */
  private async rebuild(why?: string): Promise<void> {
    const id = ++this.rebuilds;
    this.rebuilding = id;
    if (why) this.logger.warn(`rebuilding the revocation view: ${why}`);
    try {
      const info = this.watch.info(Stream.security);
      const needsRecord = !info || !streamCovers(info, this.retentionMs);
      await this.follower.reopen({ time: new Date(Date.now() - this.retentionMs) });
      if (needsRecord) await this.record.loadUntilDone(() => this.stopped || id !== this.rebuilds);
      await this.follower.caughtUp();
    } finally {
      if (this.rebuilding === id) this.rebuilding = 0;
    }
    if (id === this.rebuilds && why) this.logger.log(`revocation view rebuilt after: ${why}`);
  }

  /** A follower that does not move while the stream grows has stalled: reopen it where it stopped. */
  private checkFollowerMoves(info: StreamInfo): void {
    if (info.config.name !== this.watch.info(Stream.security)?.config.name || this.rebuilding !== 0) return;
    const position = this.follower.position;
    const behind = position < info.state.last_seq;
    this.stalled = behind && position === this.stalled.position ? { position, looks: this.stalled.looks + 1 } : { position, looks: 0 };
    if (this.stalled.looks < STALLED_LOOKS) return;
    this.stalled = { position: -1, looks: 0 };
    const from = Math.max(position + 1, info.state.first_seq);
    this.logger.warn(`follower stalled at seq ${position} while the stream reached ${info.state.last_seq}: reopening from ${from}`);
    this.rebuilding = ++this.rebuilds;
    const id = this.rebuilding;
    void this.follower
      .reopen({ sequence: from })
      .then(() => this.follower.caughtUp())
      .catch((error: unknown) => this.logger.error(`reopening the follower failed: ${(error as Error).message}`))
      .finally(() => {
        if (this.rebuilding === id) this.rebuilding = 0;
      });
  }

  private apply(event: TypedEvent): void {
    if (event.subject === EventSubject.keysRotated) return this.keysRotated(event.payload);
    let applied: AppliedRevocation | undefined;
    if (event.subject === EventSubject.sessionRevoked) {
      this.view.applySessionRevoked(event.payload);
      applied = event.payload;
    } else if (event.subject === EventSubject.accountEpochBumped) {
      if (this.view.applyEpochBumped(event.payload)) applied = event.payload;
    }
    if (!applied || !this.listening) return;
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

  /** After a reconnect, the view is current once it has applied everything stored meanwhile. */
  private async resync(): Promise<void> {
    if (this.resyncing) return;
    this.resyncing = true;
    const started = Date.now();
    while (!this.stopped && this.health.healthy) {
      try {
        if (await this.follower.syncedWithStream()) {
          this.resyncing = false;
          this.logger.log(`revocation view current again after ${Date.now() - started} ms`);
          return;
        }
      } catch {
        // the consumer is being recreated; ask again shortly
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    this.resyncing = false;
  }
}
