import { describe, expect, it } from 'vitest';
import { ObjectCache } from '../../../daemon/src/cluster/object-cache.ts';
import { isNewer, LineSplitter, parseStamped } from '../../../daemon/src/cluster/log-lines.ts';
import { reduceLogs, initialLogsState, parseLogsTopic, LOG_BUFFER_LINES } from '../../../daemon/src/protocol/logs.ts';

const obj = (name: string, rv: string) => ({ metadata: { namespace: 'n', name, resourceVersion: rv } });

describe('object cache', () => {
  it('drops a watch event older than the object it holds', () => {
    const cache = new ObjectCache();
    cache.replace([obj('a', '10')]);
    expect(cache.apply('MODIFIED', obj('a', '9'))).toBe(false);
    expect(cache.apply('MODIFIED', obj('a', '11'))).toBe(true);
    expect(cache.get('n', 'a')?.metadata?.resourceVersion).toBe('11');
    expect(cache.apply('DELETED', obj('a', '12'))).toBe(true);
    expect(cache.size).toBe(0);
  });

  it('holds objects without managedFields and kubectl’s last-applied copy, keeping every other field', () => {
    const cache = new ObjectCache();
    const annotations = { 'kubectl.kubernetes.io/last-applied-configuration': '{"big":true}', keep: 'me' };
    const fat = { metadata: { namespace: 'n', name: 'a', resourceVersion: '1', annotations, managedFields: [{ manager: 'kubectl' }], labels: { app: 'a' } }, spec: { x: 1 } };
    cache.replace([fat]);
    expect(cache.get('n', 'a')).toEqual({ metadata: { namespace: 'n', name: 'a', resourceVersion: '1', annotations: { keep: 'me' }, labels: { app: 'a' } }, spec: { x: 1 } });
    cache.apply('MODIFIED', { ...fat, metadata: { ...fat.metadata, resourceVersion: '2', managedFields: [{ manager: 'kubelet' }] } });
    expect(cache.get('n', 'a')?.metadata).not.toHaveProperty('managedFields');
  });

  it('forgets the oldest objects past its limit', () => {
    const cache = new ObjectCache(2);
    for (const n of ['a', 'b', 'c']) cache.apply('ADDED', obj(n, '1'));
    expect(cache.values().map((o) => o.metadata?.name)).toEqual(['b', 'c']);
  });
});

describe('log lines', () => {
  it('splits chunks into lines across chunk borders', () => {
    const s = new LineSplitter();
    expect(s.push('a\nb')).toEqual(['a']);
    expect(s.push('c\nd\n')).toEqual(['bc', 'd']);
    expect(s.flush()).toEqual([]);
  });

  it('skips lines already delivered when a stream is re-opened', () => {
    const last = parseStamped('2026-11-26T10:00:01.500000000Z tick 2');
    expect(isNewer(parseStamped('2026-11-26T10:00:01.000000000Z tick 1'), last)).toBe(false);
    expect(isNewer(parseStamped('2026-11-26T10:00:01.500000000Z tick 2'), last)).toBe(false);
    expect(isNewer(parseStamped('2026-11-26T10:00:02.000000000Z tick 3'), last)).toBe(true);
    expect(parseStamped('2026-11-26T10:00:02Z hello world').text).toBe('hello world');
  });

  it('keeps only the last lines of a followed container', () => {
    let state = initialLogsState({ namespace: 'n', pod: 'p', container: 'c' });
    state = reduceLogs(state, { kind: 'logs.lines.v1', lines: Array.from({ length: LOG_BUFFER_LINES + 10 }, (_, i) => `line ${i}`) });
    expect(state.lines).toHaveLength(LOG_BUFFER_LINES);
    expect(state.lines[0]).toBe('line 10');
    expect(state.total).toBe(LOG_BUFFER_LINES + 10);
  });

  it('keeps each line\'s kubelet time beside it, through the trim, and null where a line had none', () => {
    let state = initialLogsState({ namespace: 'n', pod: 'p', container: 'c' });
    state = reduceLogs(state, { kind: 'logs.lines.v1', lines: ['--- previous container ---'] });
    state = reduceLogs(state, { kind: 'logs.lines.v1', lines: Array.from({ length: LOG_BUFFER_LINES }, (_, i) => `line ${i}`), times: Array.from({ length: LOG_BUFFER_LINES }, (_, i) => 1000 + i) });
    expect(state.lines).toHaveLength(LOG_BUFFER_LINES);
    expect(state.times).toHaveLength(LOG_BUFFER_LINES);
    expect([state.lines[0], state.times?.[0]]).toEqual(['line 0', 1000]);
    state = reduceLogs({ ...state, times: undefined }, { kind: 'logs.lines.v1', lines: ['from an older daemon'] });
    expect(state.times?.at(-1)).toBeNull();
    expect(state.times).toHaveLength(state.lines.length);
  });

  it('parses logs: topic names and refuses malformed ones', () => {
    expect(parseLogsTopic('logs:ingest/opcua-bridge-7f9c/bridge')).toEqual({ namespace: 'ingest', pod: 'opcua-bridge-7f9c', container: 'bridge' });
    expect(parseLogsTopic('logs:ingest/../etc')).toBeNull();
    expect(parseLogsTopic('logs:Ingest/p/c')).toBeNull();
  });
});
