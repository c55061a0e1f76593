import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import {
  DevicePlaybackState,
  NoticeSubject,
  Principal,
  RedisKey,
  SignoffError,
  STREAM_LIMIT,
} from '@signoff/contracts';
import { NatsNamespace } from '@signoff/messaging';
import Redis from 'ioredis';
import { NatsConnection } from 'nats';
import { randomUUID } from 'node:crypto';
import { NATS_CONNECTION, REDIS } from '@signoff/platform';
import { planOf } from '../auth/current-principal.decorator';
import { AppliedRevocation, RevocationFeed } from '../security-events/revocation-feed.service';
import { PlaybackConfig } from './playback.config';
import { HEARTBEAT, START_PLAYBACK } from './playback-scripts';

type ScriptedRedis = Redis & {
  startPlayback(...args: Array<string | number>): Promise<number>;
  playbackHeartbeat(...args: Array<string | number>): Promise<number>;
};

/**
 * Playback sessions and the per-plan stream limit, held in Redis so every gateway sees the
 * same count. A Redis failure refuses the start (503): never a stream without its limit check.
 */
@Injectable()
export class PlaybackService implements OnModuleInit {
  private readonly logger = new Logger(PlaybackService.name);
  private readonly redis: ScriptedRedis;

  constructor(
    @Inject(REDIS) redis: Redis,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly namespace: NatsNamespace,
    private readonly feed: RevocationFeed,
    private readonly config: PlaybackConfig,
  ) {
    redis.defineCommand('startPlayback', { numberOfKeys: 4, lua: START_PLAYBACK });
    redis.defineCommand('playbackHeartbeat', { numberOfKeys: 3, lua: HEARTBEAT });
    this.redis = redis as ScriptedRedis;
  }

  onModuleInit(): void {
    // After this turn of the event loop: the device channel cuts sockets first.
    this.feed.onRevocation((revocation) => setImmediate(() => void this.endForRevocation(revocation)));
  }

  /**
   * Starts a stream for `profileId` (default: the session's profile). A kids profile watches as
   * itself only: naming any other profile (a grown-up one above all) is 403 PROFILE_NOT_ALLOWED,
   * before the stream takes a place. A grown-up profile may name any.
   */
  async start(principal: Principal, titleId: string, profileId?: string): Promise<{ playbackId: string }> {
    if (principal.kids && profileId !== undefined && profileId !== principal.profileId) {
      throw new SignoffError('PROFILE_NOT_ALLOWED', 'a kids profile can only start streams for itself');
    }
    const playbackId = randomUUID();
    const now = Date.now();
    const ttl = this.config.PLAYBACK_HEARTBEAT_TIMEOUT_SECONDS;
    const plan = planOf(principal);
    const state: DevicePlaybackState = { playbackId, titleId, state: 'playing', positionMs: 0, at: new Date(now).toISOString() };
    const admitted = await this.guard(() =>
      this.redis.startPlayback(
        RedisKey.accountStreams(principal.accountId),
        RedisKey.playback(playbackId),
        RedisKey.sessionPlaybacks(principal.sessionId),
        RedisKey.devicePlayback(principal.accountId, principal.deviceId),
        now,
        now - ttl * 1000,
        STREAM_LIMIT[plan],
        playbackId,
        principal.accountId,
        principal.deviceId,
        principal.sessionId,
        titleId,
        ttl,
        JSON.stringify(state),
      ),
    );
    if (admitted !== 1) {
      throw new SignoffError('STREAM_LIMIT_REACHED', `your ${plan} plan allows ${STREAM_LIMIT[plan]} stream(s) at once; stop one on another device first`);
    }
    this.noteActivity(principal, titleId, profileId ?? principal.profileId);
    return { playbackId };
  }

  async heartbeat(principal: Principal, playbackId: string, positionMs: number, state: 'playing' | 'paused'): Promise<DevicePlaybackState> {
    const now = Date.now();
    const ttl = this.config.PLAYBACK_HEARTBEAT_TIMEOUT_SECONDS;
    const titleId = await this.guard(() => this.redis.hget(RedisKey.playback(playbackId), 'titleId'));
    const current: DevicePlaybackState = { playbackId, titleId: titleId ?? '', state, positionMs, at: new Date(now).toISOString() };
    const recorded = await this.guard(() =>
      this.redis.playbackHeartbeat(
        RedisKey.playback(playbackId),
        RedisKey.accountStreams(principal.accountId),
        RedisKey.devicePlayback(principal.accountId, principal.deviceId),
        principal.sessionId,
        playbackId,
        now,
        now - ttl * 1000,
        state,
        positionMs,
        ttl,
        JSON.stringify(current),
      ),
    );
    if (recorded !== 1) throw new SignoffError('PLAYBACK_NOT_FOUND', 'no such playback on this device (it may have ended or timed out)');
    return current;
  }

  /** Ends every playback of the revoked sessions so their places free up at once. */
  async endForRevocation(revocation: AppliedRevocation): Promise<void> {
    try {
      const pipeline = this.redis.pipeline();
      for (const sessionId of revocation.sessionIds) pipeline.smembers(RedisKey.sessionPlaybacks(sessionId));
      const results = (await pipeline.exec()) ?? [];
      const end = this.redis.pipeline();
      results.forEach(([, ids], index) => {
        for (const playbackId of (ids as string[] | null) ?? []) {
          end.zrem(RedisKey.accountStreams(revocation.accountId), playbackId);
          end.del(RedisKey.playback(playbackId));
        }
        end.del(RedisKey.sessionPlaybacks(revocation.sessionIds[index]));
      });
      for (const deviceId of revocation.deviceIds) end.del(RedisKey.devicePlayback(revocation.accountId, deviceId));
      await end.exec();
    } catch (error) {
      // The streams still end: their heartbeats are refused (the session is revoked) and time out.
      this.logger.warn(`revocation ${revocation.revocationId}: could not free stream places now: ${(error as Error).message}`);
    }
  }

  private noteActivity(principal: Principal, titleId: string, profileId?: string): void {
    const notice = {
      accountId: principal.accountId,
      deviceId: principal.deviceId,
      sessionId: principal.sessionId,
      kind: 'playback_started',
      titleId,
      profileId,
      at: new Date().toISOString(),
    };
    try {
      this.nc.publish(this.namespace.subject(NoticeSubject.deviceActivity), JSON.stringify(notice));
    } catch {
      // activity stamps are best effort
    }
  }

  private async guard<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      this.logger.warn(`redis: ${(error as Error).message}`);
      throw new SignoffError('DEPENDENCY_UNAVAILABLE', 'playback state is unavailable right now; try again');
    }
  }
}
