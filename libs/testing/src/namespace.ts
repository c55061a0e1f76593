import { randomBytes } from 'node:crypto';
import { connect } from 'nats';
import Redis from 'ioredis';

/** A NATS namespace and Redis key prefix of its own for one spec file or run. */
export function uniqueNamespace(): string {
  return `t${randomBytes(5).toString('hex')}`;
}

/** Deletes what a namespace left behind: its JetStream streams and its Redis keys. */
export async function cleanupNamespace(options: { natsUrl: string; namespace: string; redisUrl?: string; redisPrefix?: string }): Promise<void> {
  const nc = await connect({ servers: options.natsUrl, timeout: 2_000 });
  try {
    const jsm = await nc.jetstreamManager();
    const prefix = `${options.namespace.toUpperCase().replace(/-/g, '_')}_`;
    for await (const name of jsm.streams.names()) {
      if (name.startsWith(prefix)) await jsm.streams.delete(name);
    }
  } finally {
    await nc.close();
  }
  if (options.redisUrl && options.redisPrefix) {
    const redis = new Redis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${options.redisPrefix}*`, 'COUNT', 500);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
  }
}
