import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { LIVE_STATE, RedisKey } from '@signoff/contracts';
import Redis from 'ioredis';
import { GATEWAY_ID } from '../infrastructure/tokens';
import { REDIS } from '@signoff/platform';
import { ConnectionRegistry } from './connection-registry';

const CLEAR_IF_MINE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * Publishes which gateway holds which device (for the device list's live status). Keys expire
 * unless refreshed, so a crashed gateway's devices turn offline by themselves. Display only:
 * a Redis failure is logged and never blocks a connection or a sign-out.
 */
@Injectable()
export class PresenceService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(PresenceService.name);
  private timer?: NodeJS.Timeout;
  private failing = false;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(GATEWAY_ID) private readonly gatewayId: string,
    private readonly connections: ConnectionRegistry,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.refreshAll(), LIVE_STATE.presenceRefreshSeconds * 1000);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  mark(accountId: string, deviceId: string): void {
    this.run(this.redis.set(RedisKey.presence(accountId, deviceId), this.gatewayId, 'EX', LIVE_STATE.presenceTtlSeconds));
  }

  clear(accountId: string, deviceId: string): void {
    this.clearMany([{ accountId, deviceId }]);
  }

  /** One round trip for every device a revocation released here. */
  clearMany(devices: ReadonlyArray<{ accountId: string; deviceId: string }>): void {
    if (devices.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const d of devices) pipeline.eval(CLEAR_IF_MINE, 1, RedisKey.presence(d.accountId, d.deviceId), this.gatewayId);
    this.run(pipeline.exec());
  }

  private async refreshAll(): Promise<void> {
    const connections = this.connections.all();
    if (connections.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const c of connections) {
      pipeline.set(RedisKey.presence(c.principal.accountId, c.principal.deviceId), this.gatewayId, 'EX', LIVE_STATE.presenceTtlSeconds);
    }
    await this.run(pipeline.exec());
  }

  private async run(command: Promise<unknown>): Promise<void> {
    try {
      await command;
      this.failing = false;
    } catch (error) {
      if (!this.failing) this.logger.warn(`presence not recorded (Redis): ${(error as Error).message}`);
      this.failing = true;
    }
  }
}
