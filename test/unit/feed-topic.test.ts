import { describe, expect, it } from 'vitest';
import { Topic } from '../../daemon/src/feed/topic.ts';
import { applyFeedEvent, reduceSystem, type SystemState } from '../../daemon/src/protocol/index.ts';

const initial: SystemState = { version: '1.0.0', startedAt: 0, uptimeS: 0, clients: 0, serverTime: 0 };
const tick = (n: number) => ({ kind: 'system.tick.v1' as const, uptimeS: n, clients: n % 3, serverTime: n * 1000 });

describe('feed reducer and topic', () => {
  it('applies a system tick without touching the fields it does not carry', () => {
    const next = reduceSystem(initial, tick(5));
    expect(next).toEqual({ version: '1.0.0', startedAt: 0, uptimeS: 5, clients: 2, serverTime: 5000 });
    expect(initial.uptimeS).toBe(0);
    expect(applyFeedEvent('system', initial, tick(5))).toEqual(next);
  });

  it('keeps state equal to every published event applied in order', () => {
    const topic = new Topic({ name: 'system', initial, reduce: reduceSystem, policy: 'viewer' }, 8);
    for (let i = 1; i <= 20; i += 1) topic.publish(tick(i));
    expect(topic.seq).toBe(20);
    expect(topic.state.uptimeS).toBe(20);
  });

  it('replays exactly the missed events while they are kept, and refuses once they are gone', () => {
    const topic = new Topic({ name: 'system', initial, reduce: reduceSystem, policy: 'viewer' }, 8);
    for (let i = 1; i <= 20; i += 1) topic.publish(tick(i));
    expect(topic.eventsAfter(20)).toEqual([]);
    expect(topic.eventsAfter(17)?.map((e) => e.uptimeS)).toEqual([18, 19, 20]);
    expect(topic.eventsAfter(12)?.map((e) => e.uptimeS)).toEqual([13, 14, 15, 16, 17, 18, 19, 20]);
    expect(topic.eventsAfter(11)).toBeNull();
    expect(topic.eventsAfter(21)).toBeNull();
    expect(topic.eventsAfter(-1)).toBeNull();
    expect(topic.eventsAfter(1.5)).toBeNull();
  });

  it('a client replaying the missed events reaches the same state as the server', () => {
    const topic = new Topic({ name: 'system', initial, reduce: reduceSystem, policy: 'viewer' }, 16);
    for (let i = 1; i <= 5; i += 1) topic.publish(tick(i));
    const clientState = topic.state;
    const clientSeq = topic.seq;
    for (let i = 6; i <= 12; i += 1) topic.publish(tick(i));
    const replayed = (topic.eventsAfter(clientSeq) ?? []).reduce(reduceSystem, clientState);
    expect(replayed).toEqual(topic.state);
  });

  it('with a replay capacity of zero always asks for a snapshot', () => {
    const topic = new Topic({ name: 'system', initial, reduce: reduceSystem, policy: 'viewer' }, 0);
    topic.publish(tick(1));
    expect(topic.eventsAfter(0)).toBeNull();
    expect(topic.eventsAfter(1)).toEqual([]);
  });
});
