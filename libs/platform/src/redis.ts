import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { PlatformSettings } from './platform-options';

/**
 * Redis holds live state only (presence, what plays where, stream limits): commands fail fast
 * instead of queueing while it is away (callers answer 503 or go without), and an outage neither
 * stops a start nor floods the log (it is logged once, and its end once).
 */
export async function connectRedis(settings: PlatformSettings, name: string): Promise<Redis> {
  const logger = new Logger('Redis');
  const redis = new Redis(settings.REDIS_URL, {
    keyPrefix: settings.REDIS_KEY_PREFIX,
    commandTimeout: settings.REDIS_COMMAND_TIMEOUT_MS,
    connectionName: name,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    lazyConnect: true,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
  });
  let failing = false;
  redis.on('error', (error: Error) => {
    if (!failing) logger.warn(`Redis unavailable: ${error.message}`);
    failing = true;
  });
  redis.on('ready', () => {
    if (failing) logger.log('Redis available again');
    failing = false;
  });
  await redis.connect().catch(() => undefined);
  return redis;
}
