import { Inject, Injectable, Logger } from '@nestjs/common';
import { RedisKey } from '@signoff/contracts';
import Redis from 'ioredis';
import { REDIS } from '@signoff/platform';
import { LiveState, parsePlaybackState } from './device-status';

/** Reads what the gateways publish in Redis about devices (presence, playback). */
@Injectable()
export class LiveStateReader {
  private readonly logger = new Logger(LiveStateReader.name);
  private failing = false;

  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  /**
   * Live state of the given devices in one round trip (a single MGET of every presence and
   * playback key). `undefined` when Redis did not answer: the caller shows those devices as
   * offline; the failure is logged once per outage, not once per request.
   */
  async read(accountId: string, deviceIds: readonly string[]): Promise<Map<string, LiveState> | undefined> {
    const states = new Map<string, LiveState>();
    if (deviceIds.length === 0) return states;
    const keys = [...deviceIds.map((id) => RedisKey.presence(accountId, id)), ...deviceIds.map((id) => RedisKey.devicePlayback(accountId, id))];
    let values: Array<string | null>;
    try {
      values = await this.redis.mget(keys);
    } catch (error) {
      if (!this.failing) this.logger.warn(`live state unavailable, showing devices as offline: ${(error as Error).message}`);
      this.failing = true;
      return undefined;
    }
    if (this.failing) this.logger.log('live state available again');
    this.failing = false;
    deviceIds.forEach((id, i) => {
      states.set(id, { present: values[i] !== null, playback: parsePlaybackState(values[deviceIds.length + i]) });
    });
    return states;
  }
}
