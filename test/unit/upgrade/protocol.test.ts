import { describe, expect, it } from 'vitest';
import { LineBuffer, MAX_LINE_BYTES, parseRequest } from '../../../daemon/src/agent/socket-protocol.ts';
import { checkArgs } from '../../../daemon/src/agent/verbs.ts';
import { initialUpgradeState, reduceUpgrade, type UpgradeEvent, type UpgradeRecord } from '../../../daemon/src/protocol/upgrade.ts';

const record = (over: Partial<UpgradeRecord>): UpgradeRecord => ({
  id: 'u1', kind: 'upgrade', release: 'app', bundleId: 'b', fromVersion: '1.0.0', toVersion: '1.1.0', actor: 'otto', startedAt: 1, updatedAt: 1, finishedAt: null,
  phase: 'preflight', step: { n: 0, of: 5, label: 'preflight' }, bytes: { done: 0, total: 10 }, message: '', workloads: [], resumes: 0, outcome: null, code: null, reasons: [], ...over,
});

describe('the upgrade topic reducer', () => {
  it('keeps the running upgrade current through progress and workloads, then moves it to recent', () => {
    const events: UpgradeEvent[] = [
      { kind: 'upgrade.record.v1', upgrade: record({}) },
      { kind: 'upgrade.progress.v1', id: 'u1', phase: 'importing', step: { n: 1, of: 5, label: 'import web' }, bytes: { done: 5, total: 10 }, message: 'importing', at: 2 },
      { kind: 'upgrade.progress.v1', id: 'other', phase: 'applying', step: { n: 9, of: 9, label: 'x' }, bytes: { done: 0, total: 0 }, message: 'stale', at: 3 },
      { kind: 'upgrade.workloads.v1', id: 'u1', workloads: [{ key: 'a/deployment/web', state: 'settling', message: '0 of 1', ready: 0, desired: 1 }] },
    ];
    const running = events.reduce(reduceUpgrade, initialUpgradeState());
    expect(running.current).toMatchObject({ phase: 'importing', bytes: { done: 5, total: 10 }, updatedAt: 2, workloads: [{ key: 'a/deployment/web' }] });
    const done = reduceUpgrade(running, { kind: 'upgrade.record.v1', upgrade: record({ phase: 'done', outcome: 'committed' }) });
    expect(done.current).toBeNull();
    expect(done.recent.map((r) => r.outcome)).toEqual(['committed']);
  });

  it('replaces the whole state with a state event', () => {
    const state = { ...initialUpgradeState(), recent: [record({ outcome: 'rolled_back' })] };
    expect(reduceUpgrade(initialUpgradeState(), { kind: 'upgrade.state.v1', state })).toBe(state);
  });
});

describe('the agent socket protocol', () => {
  it('accepts a known verb with its arguments and a cancel, and nothing else (arguments are checked by the verb table)', () => {
    expect(parseRequest('{"id":1,"verb":"applyBundle","args":[{"name":"a"},"0123456789abcdef"]}')).toEqual({ ok: true, request: { id: 1, verb: 'applyBundle', args: [{ name: 'a' }, '0123456789abcdef'] } });
    expect(parseRequest('{"id":2,"cancel":true}')).toEqual({ ok: true, request: { id: 2, cancel: true } });
    for (const bad of ['nope', '{"id":1,"verb":"constructor","args":[]}', '{"id":"1","verb":"listBundles","args":[]}', '{"id":1,"verb":"listBundles"}']) {
      expect(parseRequest(bad).ok, bad).toBe(false);
    }
    expect(checkArgs('restartWorkload', [])).toMatchObject({ ok: false });
    expect(checkArgs('listBundles', [1, 2, 3, 4, 5])).toMatchObject({ ok: false });
  });

  it('splits lines across chunks and refuses a line past the cap', () => {
    const lines = new LineBuffer();
    expect(lines.push('{"a":1}\n{"b"')).toEqual(['{"a":1}']);
    expect(lines.push(':2}\n')).toEqual(['{"b":2}']);
    expect(() => new LineBuffer().push('x'.repeat(MAX_LINE_BYTES + 1))).toThrow(/longer than/);
  });
});
