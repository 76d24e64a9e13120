// The `health` topic over the real feed WebSocket: a snapshot, then compact sequenced deltas.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { HealthEvent, HealthState } from '../../daemon/src/protocol/health.ts';
import type { ServerMessage } from '../../daemon/src/protocol/feed.ts';
import { applyFeedEvent } from '../../daemon/src/protocol/reducer.ts';
import { copyFixture, startHealthServer, waitFor, type HealthServer } from '../health-support/server.ts';

let server: HealthServer;
let fixture: ReturnType<typeof copyFixture>;

beforeAll(async () => {
  fixture = copyFixture('edge-rack');
  server = await startHealthServer({ root: fixture.root, tiers: { fastMs: 100, mediumMs: 1000, slowMs: 5000 } });
});
afterAll(async () => {
  await server.close();
  fixture.remove();
});

async function connect(): Promise<{ ws: WebSocket; messages: ServerMessage[] }> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/v1/feed`, server.feed().protocols, { headers: server.feed().headers });
  const messages: ServerMessage[] = [];
  ws.on('message', (data) => messages.push(JSON.parse(String(data)) as ServerMessage));
  await waitFor(() => messages.some((m) => m.type === 'hello'), 3000, 'hello');
  ws.send(JSON.stringify({ type: 'subscribe', topic: 'health' }));
  return { ws, messages };
}

describe('health feed topic', () => {
  it('is listed in the hello and starts with a snapshot', async () => {
    const { ws, messages } = await connect();
    await waitFor(() => messages.some((m) => m.type === 'snapshot'), 3000, 'snapshot');
    ws.close();
    const hello = messages.find((m) => m.type === 'hello');
    expect(hello && hello.type === 'hello' && hello.topics).toContain('health');
    expect(messages.find((m) => m.type === 'snapshot')).toMatchObject({ topic: 'health', state: { recent: { time: expect.any(Array) } } });
  });

  it('delivers sequenced sample deltas that leave out unchanged slow parts, and the reducer rebuilds the server state', async () => {
    const { ws, messages } = await connect();
    await waitFor(() => messages.filter((m) => m.type === 'event' && m.topic === 'health').length >= 5, 5000, 'five health events');
    ws.close();
    const snapshot = messages.find((m) => m.type === 'snapshot' && m.topic === 'health');
    if (!snapshot || snapshot.type !== 'snapshot') throw new Error('no snapshot');
    let state = snapshot.state as HealthState;
    let seq = snapshot.seq;
    const samples: HealthEvent[] = [];
    for (const m of messages) {
      if (m.type !== 'event' || m.topic !== 'health') continue;
      expect(m.seq).toBe(seq + 1);
      seq = m.seq;
      const event = m.event as HealthEvent;
      state = applyFeedEvent('health', state, event);
      if (event.kind === 'health.sample.v1') samples.push(event);
    }
    expect(samples.length).toBeGreaterThanOrEqual(4);
    // Filesystems, sensors and identity travel only when they change; most deltas are the fast tier alone.
    const compact = samples.filter((e) => e.kind === 'health.sample.v1' && e.filesystems === undefined && e.identity === undefined && e.sensors === undefined);
    expect(compact.length).toBeGreaterThanOrEqual(3);
    expect(JSON.stringify(compact[0]).length).toBeLessThan(4000);
    expect(state.sample!.filesystems.length).toBe(7);
    expect(state.sample!.cpu.perCorePct).toHaveLength(4);
    expect(state.recent.time.length).toBeGreaterThan(0);
  });

  it('publishes identify as an event subscribers see', async () => {
    const { ws, messages } = await connect();
    await waitFor(() => messages.some((m) => m.type === 'snapshot'), 3000, 'snapshot');
    server.health.identify(5);
    await waitFor(() => messages.some((m) => m.type === 'event' && (m.event as HealthEvent).kind === 'health.identify.v1'), 3000, 'identify event');
    ws.close();
  });
});
