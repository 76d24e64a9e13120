// The real `outpost serve` tells a (stand-in) service manager that it is ready, keeps the watchdog fed
// from its event loop and says when it stops — through the real systemd-notify, on a real datagram socket.
import { existsSync, rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnDaemon, stopDaemon, tempDir } from '../helpers/daemon.ts';
import { openNotifySocket, perlAvailable } from '../helpers/notify-socket.ts';

const home = tempDir('outpost-notify-');
afterAll(() => rmSync(home, { recursive: true, force: true }));
const usable = perlAvailable() && existsSync('/usr/bin/systemd-notify');

describe.skipIf(!usable)('sd_notify through systemd-notify (skipped without perl or systemd-notify)', () => {
  it('sends READY=1 with the URL once listening, WATCHDOG=1 at half WATCHDOG_USEC, STOPPING=1 on SIGTERM', async () => {
    const socket = await openNotifySocket(home);
    try {
      const daemon = await spawnDaemon({ home, env: { NOTIFY_SOCKET: socket.path, WATCHDOG_USEC: '600000' } });
      const ready = await socket.waitFor(/READY=1/);
      expect(ready).toContain(`STATUS=LocalUI at ${daemon.url}`);
      // Pings every 300 ms: wait for the third one.
      await socket.waitFor(/^WATCHDOG=1$/);
      const pings = () => socket.messages.filter((m) => m === 'WATCHDOG=1').length;
      const deadline = Date.now() + 10_000;
      while (pings() < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(pings()).toBeGreaterThanOrEqual(3);
      expect(await stopDaemon(daemon)).toBe(0);
      expect(await socket.waitFor(/STOPPING=1/)).toContain('STATUS=stopping on SIGTERM');
      // systemd-notify waits for the manager with BARRIER=1 (no race with an exited sender).
      expect(socket.messages).toContain('BARRIER=1');
    } finally {
      socket.close();
    }
  });

  it('sends nothing when NOTIFY_SOCKET is unset', async () => {
    const socket = await openNotifySocket(home, 'unused.sock');
    try {
      const daemon = await spawnDaemon({ home, env: { NOTIFY_SOCKET: '', WATCHDOG_USEC: '600000' } });
      await new Promise((r) => setTimeout(r, 1000));
      expect(await stopDaemon(daemon)).toBe(0);
      expect(socket.messages).toEqual([]);
    } finally {
      socket.close();
    }
  });
});
