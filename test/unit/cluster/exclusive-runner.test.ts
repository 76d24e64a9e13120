import { describe, expect, it } from 'vitest';
import { ExclusiveRunner } from '../../../daemon/src/agent/exclusive-runner.ts';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('exclusive runner', () => {
  it('runs one task at a time in arrival order', async () => {
    const runner = new ExclusiveRunner();
    const log: string[] = [];
    const task = (name: string) => async () => {
      log.push(`start ${name}`);
      await tick();
      log.push(`end ${name}`);
    };
    await Promise.all([runner.run(task('a')), runner.run(task('b'))]);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b']);
  });

  it('lets a user action pre-empt background work through its signal', async () => {
    const runner = new ExclusiveRunner();
    const background = runner.run((signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error))));
    const user = runner.run(async () => 'done', { preempt: true, label: 'restart' });
    await expect(background).rejects.toThrow(/pre-empted by restart/);
    await expect(user).resolves.toBe('done');
  });

  it('aborts a task past its deadline and keeps the lane going', async () => {
    const runner = new ExclusiveRunner();
    const slow = runner.run((signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error))), { deadlineMs: 10, label: 'slow' });
    await expect(slow).rejects.toThrow(/deadline/);
    await expect(runner.run(async () => 1)).resolves.toBe(1);
  });

  it('refuses work after stop', async () => {
    const runner = new ExclusiveRunner();
    runner.stop();
    await expect(runner.run(async () => 1)).rejects.toThrow(/stopped/);
  });

  it('refuses a restart with busy naming the upgrade that holds the lane, and does not pre-empt it', async () => {
    const runner = new ExclusiveRunner();
    let release!: () => void;
    let aborted = false;
    const upgrade = runner.run(
      (signal) =>
        new Promise<string>((resolve) => {
          signal.addEventListener('abort', () => (aborted = true));
          release = () => resolve('committed');
        }),
      { exclusive: true, label: 'the upgrade of app 1.0.0 → 1.1.0' },
    );
    await tick();
    expect(runner.exclusiveLabel).toBe('the upgrade of app 1.0.0 → 1.1.0');
    await expect(runner.run(async () => 'restarted', { preempt: true, label: 'restart' })).rejects.toMatchObject({ code: 'busy', message: expect.stringContaining('app 1.0.0 → 1.1.0') });
    await expect(runner.run(async () => 'second', { exclusive: true })).rejects.toMatchObject({ code: 'busy' });
    expect(aborted).toBe(false);
    release();
    await expect(upgrade).resolves.toBe('committed');
    expect(runner.exclusiveLabel).toBeNull();
    await expect(runner.run(async () => 'restarted', { preempt: true })).resolves.toBe('restarted');
  });

  it('lets an upgrade wait behind a running restart, then refuses what comes after it', async () => {
    const runner = new ExclusiveRunner();
    const log: string[] = [];
    const restart = runner.run(async () => {
      await tick();
      log.push('restart');
    });
    const upgrade = runner.run(async () => log.push('upgrade'), { exclusive: true, label: 'upgrade' });
    await expect(runner.run(async () => log.push('late'))).rejects.toMatchObject({ code: 'busy' });
    await Promise.all([restart, upgrade]);
    expect(log).toEqual(['restart', 'upgrade']);
  });
});
