import { describe, expect, it } from 'vitest';
import type { ServerMessage } from '@protocol';
import { FeedClient, type SocketLike } from '../../lib/feed/feed-client.svelte.ts';
import { LogViewerManager } from './log-viewer.svelte.ts';

class FakeSocket implements SocketLike {
  readyState = 1;
  sent: { type: string; topic?: string }[] = [];
  onopen: ((ev: Event) => void) | null = null;
  onmessage: ((ev: MessageEvent) => void) | null = null;
  onclose: ((ev: CloseEvent) => void) | null = null;
  onerror: ((ev: Event) => void) | null = null;
  send(data: string) {
    this.sent.push(JSON.parse(data) as { type: string; topic?: string });
  }
  close() {
    this.readyState = 3;
  }
  deliver(message: unknown) {
    this.onmessage?.({ data: JSON.stringify(message) } as MessageEvent);
  }
}

const TOPIC = 'logs:ingest/bridge-1/bridge';

function setup() {
  let socket: FakeSocket | undefined;
  const feed = new FeedClient({ url: 'ws://device/api/v1/feed', createSocket: () => (socket = new FakeSocket()) });
  const stopFeed = feed.listen();
  const s = socket!;
  s.deliver({ type: 'hello', protocol: 'outpost.feed.v1', epoch: 'e1', version: '1', heartbeatMs: 60_000, maxMessageBytes: 65536, topics: [] } satisfies ServerMessage);
  const viewer = new LogViewerManager(feed, { namespace: 'ingest', pod: 'bridge-1', container: 'bridge' });
  const stop = viewer.listen();
  s.deliver({ type: 'snapshot', topic: TOPIC, epoch: 'e1', seq: 1, state: { namespace: 'ingest', pod: 'bridge-1', container: 'bridge', lines: ['connecting to opc.tcp://10.0.5.20', 'retrying'], times: [Date.UTC(2026, 11, 2, 5, 27, 1, 250), null], total: 2, ended: false, endReason: null, error: null } });
  let seq = 1;
  const text = (viewer: LogViewerManager) => viewer.lines.map((l) => l.text);
  const lines = (...l: string[]) => s.deliver({ type: 'event', topic: TOPIC, seq: ++seq, event: { kind: 'logs.lines.v1', lines: l } });
  return { s, viewer, lines, text, stop: () => (stop(), stopFeed()), end: () => s.deliver({ type: 'event', topic: TOPIC, seq: ++seq, event: { kind: 'logs.ended.v1', reason: 'the pod is gone' } }) };
}

describe('log viewer manager', () => {
  it('subscribes to the container topic, follows new lines, and unsubscribes on cleanup', () => {
    const { s, viewer, lines, text, stop } = setup();
    expect(s.sent).toContainEqual({ type: 'subscribe', topic: TOPIC });
    lines('fatal: endpoint unreachable');
    expect(text(viewer)).toEqual(['connecting to opc.tcp://10.0.5.20', 'retrying', 'fatal: endpoint unreachable']);
    expect(viewer.lines.map((l) => [l.n, l.time])).toEqual([[1, Date.UTC(2026, 11, 2, 5, 27, 1, 250)], [2, null], [3, null]]);
    stop();
    expect(s.sent).toContainEqual({ type: 'unsubscribe', topic: TOPIC });
  });

  it('freezes the shown lines while paused and counts what arrived meanwhile', () => {
    const { viewer, lines } = setup();
    viewer.togglePause();
    lines('a', 'b');
    expect(viewer.lines).toHaveLength(2);
    viewer.search = 'a';
    expect(viewer.matches).toBe(0);
    viewer.search = '';
    expect(viewer.waiting).toBe(2);
    viewer.togglePause();
    expect(viewer.lines).toHaveLength(4);
  });

  it('counts and marks search matches, shows only matching lines unless asked for all, and says when the stream ended', () => {
    const { viewer, lines, text, end } = setup();
    lines('fatal: endpoint unreachable', 'Fatal again: fatal');
    viewer.search = 'FATAL';
    expect(text(viewer)).toEqual(['fatal: endpoint unreachable', 'Fatal again: fatal']);
    expect([viewer.matches, viewer.matchingLines, viewer.bufferLines]).toEqual([3, 2, 4]);
    expect(viewer.lines[1]?.parts).toEqual([
      { text: 'Fatal', match: true },
      { text: ' again: ', match: false },
      { text: 'fatal', match: true },
    ]);
    viewer.onlyMatching = false;
    expect(text(viewer)).toHaveLength(4);
    expect(viewer.lines[0]?.parts).toEqual([{ text: 'connecting to opc.tcp://10.0.5.20', match: false }]);
    viewer.search = 'a.b';
    expect(viewer.matches).toBe(0);
    end();
    expect(viewer.ended).toBe('the pod is gone');
    expect(viewer.downloadUrl(true)).toBe('/api/v1/pods/ingest/bridge-1/logs?container=bridge&tailLines=10000&previous=true');
  });
});
