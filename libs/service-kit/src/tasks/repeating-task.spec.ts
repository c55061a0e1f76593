import { Logger } from '@nestjs/common';
import { RepeatingTask } from './repeating-task';

const quiet = (): Logger => ({ warn: jest.fn(), log: jest.fn() }) as unknown as Logger;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('RepeatingTask', () => {
  it('runs again and again without overlapping, and keeps going after a failure', async () => {
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    const logger = quiet();
    const task = new RepeatingTask(
      'test task',
      () => 5,
      async () => {
        runs++;
        active++;
        maxActive = Math.max(maxActive, active);
        await sleep(15);
        active--;
        if (runs === 2) throw new Error('boom');
      },
      logger,
    );
    task.start(0);
    await sleep(150);
    await task.stop();
    expect(runs).toBeGreaterThanOrEqual(4);
    expect(maxActive).toBe(1);
    expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining('test task failed; the next run retries: boom'));
  });

  it('waits for a run in progress on stop, and runs nothing after', async () => {
    let finished = 0;
    let started = 0;
    const task = new RepeatingTask(
      'slow task',
      () => 1,
      async () => {
        started++;
        await sleep(40);
        finished++;
      },
      quiet(),
    );
    task.start(0);
    await sleep(10);
    await task.stop();
    expect({ started, finished }).toEqual({ started: 1, finished: 1 });
    await sleep(30);
    expect(started).toBe(1);
  });
});
