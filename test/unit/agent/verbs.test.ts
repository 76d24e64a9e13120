// The verb table (agent/verbs.ts): every verb has a schema, refusals name the field, roles are
// checked again, and the same dispatch runs in-process (localAgent) as over the socket.
import { describe, expect, it } from 'vitest';
import { AGENT_VERBS, checkArgs, dispatchVerb, localAgent, type AgentVerbs } from '../../../daemon/src/agent/index.ts';
import { OutpostError } from '../../../daemon/src/lib/errors.ts';
import { parseRequest } from '../../../daemon/src/agent/socket-protocol.ts';

const operator = { name: 'otto', role: 'operator', address: '10.0.0.7', requestId: 'f3c1a2b4-0000-4000-8000-000000000001' };
const target = { namespace: 'plant', kind: 'deployment', name: 'ticker' };

/** An implementation that records what reached it. */
function recorder(): { impl: AgentVerbs; calls: unknown[][] } {
  const calls: unknown[][] = [];
  const impl = Object.fromEntries(Object.keys(AGENT_VERBS).map((verb) => [verb, async (...args: unknown[]) => (calls.push([verb, ...args]), { ok: verb })])) as unknown as AgentVerbs;
  return { impl, calls };
}

describe('the verb table', () => {
  it('accepts a well-formed request and hands the parsed arguments on', () => {
    expect(checkArgs('restartWorkload', [operator, target])).toEqual({ ok: true, args: [operator, target] });
    expect(checkArgs('agentInfo', [])).toMatchObject({ ok: true });
  });

  it.each([
    ['an extra argument', 'agentInfo', [1]],
    ['a missing argument', 'restartWorkload', [operator]],
    ['an unknown field', 'restartWorkload', [operator, { ...target, image: 'evil:latest' }]],
    ['a kind it does not restart', 'restartWorkload', [operator, { ...target, kind: 'job' }]],
    ['a name that is no Kubernetes name', 'deletePod', [operator, { namespace: 'plant', name: '../../x' }]],
    ['an actor name of 65 characters', 'deletePod', [{ ...operator, name: 'a'.repeat(65) }, { namespace: 'plant', name: 'p' }]],
    ['a NUL in an actor address', 'deletePod', [{ ...operator, address: 'a\0b' }, { namespace: 'plant', name: 'p' }]],
    ['a bundle path that is not absolute', 'offerBundle', [operator, { path: 'x.outpost', source: 'cli' }]],
    ['a bundle source it does not know', 'offerBundle', [operator, { path: '/x.outpost', source: 'email' }]],
    ['a bundle id that is not 16 hex digits', 'bundlePlan', ['0123']],
    ['a history limit of 501', 'upgradeHistory', [{ limit: 501 }]],
    ['129 audit records in one call', 'auditAppend', [Array.from({ length: 129 }, () => ({ actor: 'a', role: 'r', address: 'x', action: 'y', outcome: 'success' }))]],
    ['an audit outcome it does not know', 'auditAppend', [[{ actor: 'a', role: 'r', address: 'x', action: 'y', outcome: 'maybe' }]]],
  ] as const)('refuses %s', (_what, verb, args) => {
    const checked = checkArgs(verb, args);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.forbidden).toBeUndefined();
  });

  it('refuses a role below the verb’s, naming the field', () => {
    expect(checkArgs('restartWorkload', [{ ...operator, role: 'viewer' }, target])).toMatchObject({ ok: false, forbidden: true, errors: [{ path: '0.role' }] });
    expect(checkArgs('rollbackRelease', [operator, 'app'])).toMatchObject({ ok: false, forbidden: true });
    expect(checkArgs('rollbackRelease', [{ ...operator, role: 'admin' }, 'app'])).toMatchObject({ ok: true });
  });

  it('runs the same checks in-process: the implementation never sees a refused request', async () => {
    const { impl, calls } = recorder();
    const local = localAgent(impl);
    await expect(local.restartWorkload({ ...operator, role: 'viewer' }, target as never)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(local.deletePod(operator, { namespace: 'BAD', name: 'p' })).rejects.toMatchObject({ code: 'validation_failed', errors: [{ path: '1.namespace' }] });
    expect(calls).toEqual([]);
    await local.restartWorkload(operator, target as never);
    const events: unknown[] = [];
    await local.watchUpgrades((e) => void events.push(e), new AbortController().signal);
    expect(calls.map((c) => c[0])).toEqual(['restartWorkload', 'watchUpgrades']);
    expect(calls[1]).toHaveLength(3);
  });

  it('refuses a stream called without its hooks', async () => {
    await expect(dispatchVerb(recorder().impl, 'watchUpgrades', [])).rejects.toBeInstanceOf(OutpostError);
  });
});

describe('the wire', () => {
  it('parses a request, and refuses what is not one', () => {
    expect(parseRequest('{"id":3,"verb":"agentInfo","args":[]}')).toEqual({ ok: true, request: { id: 3, verb: 'agentInfo', args: [] } });
    expect(parseRequest('{"id":3,"cancel":true}')).toEqual({ ok: true, request: { id: 3, cancel: true } });
    expect(parseRequest('{"id":4,"verb":"shell","args":[]}')).toMatchObject({ ok: false, id: 4, error: { code: 'bad_request' } });
    expect(parseRequest('{"id":4,"verb":"agentInfo","args":{}}')).toMatchObject({ ok: false, id: 4 });
    expect(parseRequest('{"id":0,"verb":"agentInfo","args":[]}')).toMatchObject({ ok: false, id: 0 });
    expect(parseRequest('{"id":"1","verb":"agentInfo","args":[]}')).toMatchObject({ ok: false, id: 0 });
    expect(parseRequest('[1]')).toMatchObject({ ok: false, id: 0 });
    expect(parseRequest('{"id":1,"verb":"__proto__","args":[]}')).toMatchObject({ ok: false, id: 1 });
  });
});
