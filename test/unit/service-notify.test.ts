import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../daemon/src/lib/logger.ts';
import { serviceNotifier, watchdogInterval, type RunNotify } from '../../daemon/src/lib/service-notify-adapter.ts';

const log = createLogger('silent');

function recorder(): { run: RunNotify; calls: string[][]; release(): void } {
  const calls: string[][] = [];
  let pending: (() => void)[] = [];
  return {
    calls,
    run: (args) => {
      calls.push(args);
      return new Promise<void>((resolve) => pending.push(resolve));
    },
    release() {
      const p = pending;
      pending = [];
      for (const resolve of p) resolve();
    },
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('service notifier', () => {
  it('does nothing at all without NOTIFY_SOCKET', async () => {
    const r = recorder();
    const n = serviceNotifier({ log, env: { WATCHDOG_USEC: '1000000' }, run: r.run });
    n.ready('up');
    n.status('x');
    n.stopping();
    await n.close();
    expect(n.enabled).toBe(false);
    expect(r.calls).toEqual([]);
  });

  it('sends READY=1 with a one-line status, then watchdog pings at half WATCHDOG_USEC', async () => {
    vi.useFakeTimers();
    const calls: string[][] = [];
    const n = serviceNotifier({ log, env: { NOTIFY_SOCKET: '/run/systemd/notify', WATCHDOG_USEC: '2000000', WATCHDOG_PID: '42' }, pid: 42, run: async (args) => void calls.push(args) });
    expect(n.watchdogIntervalMs).toBe(1000);
    n.ready('LocalUI at\nhttps://10.0.0.5:8443/');
    expect(calls).toEqual([['READY=1', 'STATUS=LocalUI at https://10.0.0.5:8443/']]);
    await vi.advanceTimersByTimeAsync(2000);
    expect(calls.slice(1)).toEqual([['WATCHDOG=1'], ['WATCHDOG=1']]);
    n.stopping('stopping on SIGTERM');
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls.slice(3)).toEqual([['STOPPING=1', 'STATUS=stopping on SIGTERM']]);
    await n.close();
  });

  it('pings nobody when the watchdog is meant for another process or absent', () => {
    expect(watchdogInterval({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '7' }, 8)).toBeNull();
    expect(watchdogInterval({}, 8)).toBeNull();
    expect(watchdogInterval({ WATCHDOG_USEC: 'x' }, 8)).toBeNull();
    expect(watchdogInterval({ WATCHDOG_USEC: '30000000' }, 8)).toBe(15_000);
  });

  it('runs one systemd-notify at a time and merges what waits behind it by variable', async () => {
    vi.useFakeTimers();
    const r = recorder();
    const n = serviceNotifier({ log, env: { NOTIFY_SOCKET: '@notify', WATCHDOG_USEC: '200000' }, pid: 1, run: r.run });
    n.ready('up');
    await vi.advanceTimersByTimeAsync(1000); // ten ping ticks while READY is still in flight
    n.status('a');
    n.status('b');
    expect(r.calls).toHaveLength(1);
    r.release();
    await vi.advanceTimersByTimeAsync(0);
    expect(r.calls[1]).toEqual(['WATCHDOG=1', 'STATUS=b']);
    n.stopping();
    r.release();
    await vi.advanceTimersByTimeAsync(0);
    expect(r.calls[2]).toEqual(['STOPPING=1', 'STATUS=stopping']);
    r.release();
    await n.close();
    expect(r.calls).toHaveLength(3);
  });

  it('logs a failing systemd-notify and keeps the daemon running', async () => {
    const errors: unknown[] = [];
    const spyLog = { child: () => ({ error: (o: unknown) => errors.push(o) }) } as unknown as typeof log;
    const n = serviceNotifier({ log: spyLog, env: { NOTIFY_SOCKET: '/nowhere' }, run: () => Promise.reject(new Error('ENOENT')) });
    n.ready('up');
    await n.close();
    expect(errors).toHaveLength(1);
  });
});
