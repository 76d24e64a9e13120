// The composition root wires health in: the real daemon (startDaemon) samples this machine.
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { resolveConfig } from '../../daemon/src/config/index.ts';
import { createLogger } from '../../daemon/src/lib/logger.ts';
import { startDaemon, type DaemonHandle } from '../../daemon/src/main.ts';
import type { ServerMessage } from '../../daemon/src/protocol/feed.ts';
import type { HealthState } from '../../daemon/src/protocol/health.ts';
import { waitFor } from '../health-support/server.ts';

let daemon: DaemonHandle;
let home: string;

beforeAll(async () => {
  home = mkdtempSync(path.join(os.tmpdir(), 'outpost-health-daemon-'));
  const result = resolveConfig({ env: {}, flags: { home, port: '0' }, cwd: home });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  daemon = await startDaemon(result.config, createLogger('silent'));
});
afterAll(async () => {
  await daemon?.close();
  rmSync(home, { recursive: true, force: true });
});

describe('daemon with health', () => {
  it('samples this machine once a second on the health topic', async () => {
    const ws = new WebSocket(`${daemon.url.replace('http', 'ws')}api/v1/feed`);
    const messages: ServerMessage[] = [];
    ws.on('message', (d) => messages.push(JSON.parse(String(d)) as ServerMessage));
    await waitFor(() => messages.some((m) => m.type === 'hello'), 3000, 'hello');
    ws.send(JSON.stringify({ type: 'subscribe', topic: 'health' }));
    await waitFor(() => messages.filter((m) => m.type === 'event' && m.topic === 'health').length >= 2, 5000, 'two health events');
    ws.close();
    const state = daemon.hub.get('health')!.state as HealthState;
    expect(state.sample!.memory.totalBytes).toBe(os.totalmem());
    expect(state.sample!.cpu.perCorePct).toHaveLength(os.cpus().length);
    expect(state.sample!.filesystems.some((f) => f.mount === '/')).toBe(true);
  });
});
