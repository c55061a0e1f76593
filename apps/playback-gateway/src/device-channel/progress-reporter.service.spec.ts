import { DeviceProgressEvent } from '@signoff/contracts';
import { EventPublisher } from '@signoff/messaging';
import Redis from 'ioredis';
import { ProgressReporter, UNDELIVERED_REPORTS_KEY } from './progress-reporter.service';

type Published = { subject: string; message: DeviceProgressEvent & { via?: string } };

interface FakeMulti {
  zadd(key: string, score: number, member: string): FakeMulti;
  zremrangebyrank(key: string, start: number, stop: number): FakeMulti;
  exec(): Promise<Array<[null, unknown]>>;
}

/** The sorted-set commands the reporter uses, in memory; `down` makes every command fail like a lost connection. */
class FakeRedis {
  readonly sets = new Map<string, Map<string, number>>();
  down = false;

  multi(): FakeMulti {
    const steps: Array<() => unknown> = [];
    const chain: FakeMulti = {
      zadd: (key, score, member) => (steps.push(() => this.set(key).set(member, score)), chain),
      zremrangebyrank: (key, start, stop) => (steps.push(() => this.ranked(key).slice(start, stop + 1 || undefined).forEach((m) => this.set(key).delete(m))), chain),
      exec: async () => (this.fail(), steps.map((step) => [null, step()])),
    };
    return chain;
  }

  async zrem(key: string, member: string): Promise<number> {
    this.fail();
    return this.set(key).delete(member) ? 1 : 0;
  }

  async zrangebyscore(key: string, _min: string, max: number, _limit: string, offset: number, count: number): Promise<string[]> {
    this.fail();
    return this.ranked(key)
      .filter((member) => (this.set(key).get(member) as number) <= max)
      .slice(offset, offset + count);
  }

  members(key = UNDELIVERED_REPORTS_KEY): string[] {
    return this.ranked(key);
  }

  private fail(): void {
    if (this.down) throw new Error("Stream isn't writeable and enableOfflineQueue options is false");
  }

  private set(key: string): Map<string, number> {
    let set = this.sets.get(key);
    if (!set) this.sets.set(key, (set = new Map()));
    return set;
  }

  private ranked(key: string): string[] {
    return [...this.set(key).entries()].sort((a, b) => a[1] - b[1]).map(([member]) => member);
  }
}

describe('ProgressReporter', () => {
  let published: Published[];
  let failNext: number;
  let attempts: string[];
  let publisher: EventPublisher;
  let redis: FakeRedis;
  const reporters: ProgressReporter[] = [];
  const device = (n: number) => ({ revocationId: 'r1', accountId: 'a1', deviceId: `d${n}`, sessionId: `s${n}` });
  const reporterOf = (gatewayId: string) => {
    const reporter = new ProgressReporter(publisher, gatewayId, redis as unknown as Redis);
    reporters.push(reporter);
    return reporter;
  };

  beforeEach(() => {
    jest.useFakeTimers();
    published = [];
    failNext = 0;
    attempts = [];
    redis = new FakeRedis();
    publisher = {
      publishRaw: jest.fn(async (subject: string, message: Published['message']) => {
        attempts.push(message.eventId);
        if (failNext > 0) {
          failNext--;
          throw new Error('broker away');
        }
        published.push({ subject, message });
        return { seq: published.length, duplicate: false, stream: 'S' };
      }),
    } as unknown as EventPublisher;
  });

  afterEach(async () => {
    await Promise.all(reporters.splice(0).map((reporter) => reporter.stop()));
    jest.useRealTimers();
  });

  it('coalesces the reports of a burst into one message per kind, and keeps nothing once the broker has them', async () => {
    const reporter = reporterOf('gw-test');
    reporter.cut(device(1));
    reporter.cut(device(2));
    reporter.acknowledged(device(1));
    reporter.loggedOutOnReconnect(device(3), 'refresh');
    reporter.loggedOutOnReconnect(device(4), 'websocket');
    expect(published).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(5);
    const summary = published.map((p) => [p.subject, p.message.via, p.message.devices.map((d) => d.deviceId)]);
    expect(summary).toEqual([
      ['playback.device.cut.v1', undefined, ['d1', 'd2']],
      ['device.logout.acknowledged.v1', undefined, ['d1']],
      ['device.logout.reconnected.v1', 'refresh', ['d3']],
      ['device.logout.reconnected.v1', 'websocket', ['d4']],
    ]);
    expect(new Set(published.map((p) => p.message.eventId)).size).toBe(4);
    expect(published.every((p) => p.message.gatewayId === 'gw-test')).toBe(true);
    expect(redis.members()).toEqual([]);
  });

  it('keeps a message the broker refused in Redis and publishes it again, under the same event id', async () => {
    const reporter = reporterOf('gw-test');
    reporter.onApplicationBootstrap();
    failNext = 2;
    reporter.cut(device(1));
    await jest.advanceTimersByTimeAsync(5);
    expect(published).toHaveLength(0);
    expect(redis.members()).toHaveLength(1);
    expect(reporter.backlog).toBe(0);
    await jest.advanceTimersByTimeAsync(8_000);
    expect(published).toHaveLength(1);
    expect(published[0].message.devices.map((d) => d.deviceId)).toEqual(['d1']);
    expect(redis.members()).toEqual([]);
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts)).toEqual(new Set([published[0].message.eventId]));
  });

  it('delivers the reports a dead gateway left in Redis', async () => {
    failNext = 1;
    reporterOf('gw-dead').cut(device(1));
    await jest.advanceTimersByTimeAsync(5);
    expect(published).toHaveLength(0);
    // gw-dead is gone (its redelivery never ran); a peer finds its report once it is a few seconds old.
    const peer = reporterOf('gw-peer');
    peer.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(3_000);
    expect(published).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(3_000);
    expect(published.map((p) => [p.subject, p.message.gatewayId, p.message.devices.map((d) => d.deviceId)])).toEqual([['playback.device.cut.v1', 'gw-dead', ['d1']]]);
    expect(redis.members()).toEqual([]);
  });

  it('with Redis away too, retries from memory with backoff, under the same event id', async () => {
    const reporter = reporterOf('gw-test');
    reporter.onApplicationBootstrap();
    redis.down = true;
    failNext = 2;
    reporter.cut(device(1));
    await jest.advanceTimersByTimeAsync(5);
    expect(published).toHaveLength(0);
    expect(reporter.backlog).toBe(1);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(published).toHaveLength(1);
    expect(reporter.backlog).toBe(0);
    expect(new Set(attempts)).toEqual(new Set([published[0].message.eventId]));
  });

  it('drops an entry in Redis it cannot read, and stops a round at the first refusal', async () => {
    const reporter = reporterOf('gw-test');
    await redis.multi().zadd(UNDELIVERED_REPORTS_KEY, 0, 'not json').exec();
    await redis.multi().zadd(UNDELIVERED_REPORTS_KEY, 1, JSON.stringify({ subject: 'security.session.revoked.v1', message: { eventId: 'e', devices: [] } })).exec();
    const valid = JSON.stringify({ subject: 'playback.device.cut.v1', message: { eventId: 'e2', occurredAt: '', gatewayId: 'gw-x', devices: [] } });
    await redis.multi().zadd(UNDELIVERED_REPORTS_KEY, 2, valid).exec();
    failNext = 1;
    reporter.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(1_000);
    expect(redis.members()).toEqual([valid]);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(published.map((p) => p.message.eventId)).toEqual(['e2']);
    expect(redis.members()).toEqual([]);
  });
});
