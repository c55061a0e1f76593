import { DeviceProgressEvent } from '@signoff/contracts';
import { EventPublisher } from '@signoff/messaging';
import { ProgressReporter } from './progress-reporter.service';

type Published = { subject: string; message: DeviceProgressEvent & { via?: string } };

describe('ProgressReporter', () => {
  let published: Published[];
  let failNext: number;
  let reporter: ProgressReporter;
  let attempts: string[];
  const device = (n: number) => ({ revocationId: 'r1', accountId: 'a1', deviceId: `d${n}`, sessionId: `s${n}` });

  beforeEach(() => {
    jest.useFakeTimers();
    published = [];
    failNext = 0;
    attempts = [];
    const publisher = {
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
    reporter = new ProgressReporter(publisher, 'gw-test');
  });

  afterEach(() => {
    reporter.onApplicationShutdown();
    jest.useRealTimers();
  });

  it('coalesces the reports of a burst into one message per kind', async () => {
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
  });

  it('retries a message the broker refused, under the same event id', async () => {
    failNext = 2;
    reporter.cut(device(1));
    await jest.advanceTimersByTimeAsync(5);
    expect(published).toHaveLength(0);
    expect(reporter.backlog).toBe(1);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(published).toHaveLength(1);
    expect(published[0].message.devices.map((d) => d.deviceId)).toEqual(['d1']);
    expect(reporter.backlog).toBe(0);
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts)).toEqual(new Set([published[0].message.eventId]));
  });
});
