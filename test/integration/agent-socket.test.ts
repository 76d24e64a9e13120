// The agent's socket as something hostile would meet it: the real `outpost agent` process, spoken to
// with raw JSON lines. It refuses unknown verbs, arguments that do not pass their schema (wrong
// shape, extra keys, oversized), a role below the verb's, lines over the cap and non-JSON — and
// nothing changes. It refuses every connection while its socket's mode or owner would let others
// in, and to start with an audit key folder someone else owns. Socket-activated by the real
// systemd-socket-activate (fd 3), it answers and exits after its idle time, saying bye.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectAgentSocket } from '../../daemon/src/agent/index.ts';
import { AuditLog } from '../../daemon/src/audit/index.ts';
import { openDatabase } from '../../daemon/src/store/index.ts';
import { commandAvailable } from '../release/netns.ts';
import { eventually } from '../helpers/cluster.ts';
import { CLI, tempDir } from '../helpers/daemon.ts';

interface Agent {
  child: ChildProcess;
  home: string;
  socket: string;
  output(): string;
  exited: Promise<number | string>;
}

function startAgent(home: string, options: { argv?: string[]; env?: NodeJS.ProcessEnv } = {}): Agent {
  const socket = path.join(home, 'agent.sock');
  const argv = options.argv ?? [process.execPath, CLI, 'agent', '--home', home, '--config', 'none'];
  const child = spawn(argv[0]!, argv.slice(1), { env: { ...process.env, OUTPOST_KUBECONFIG: 'none', OUTPOST_LOG_LEVEL: 'info', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return { child, home, socket, output: () => out, exited };
}

/** Sends raw lines on one connection; resolves with every line answered until it closes or `quietMs` passes. */
function exchange(socket: string, lines: string[], quietMs = 1500): Promise<{ answers: Record<string, unknown>[]; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const s = connect(socket);
    let text = '';
    let closed = false;
    let timer = setTimeout(() => s.destroy(), quietMs);
    s.on('error', (error) => ((error as NodeJS.ErrnoException).code === 'EPIPE' || (error as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(error)));
    s.on('data', (d: Buffer) => {
      text += d.toString();
      clearTimeout(timer);
      timer = setTimeout(() => s.destroy(), quietMs);
    });
    s.on('end', () => (closed = true));
    s.on('close', () => {
      clearTimeout(timer);
      resolve({ answers: text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>), closed });
    });
    s.on('connect', () => {
      for (const line of lines) s.write(`${line}\n`);
    });
  });
}

const operator = { name: 'otto', role: 'operator', address: '10.0.0.7' };
const request = (id: number, verb: string, args: unknown[]) => JSON.stringify({ id, verb, args });
let agent: Agent;

function auditCount(home: string): number {
  const db = openDatabase(home);
  try {
    return new AuditLog(db).query({ limit: 1000 }).length;
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  agent = startAgent(tempDir('outpost-agent-'));
  await eventually(() => agent.output().includes('listening on'), 'the agent to listen', 30_000);
}, 60_000);

afterAll(async () => {
  agent?.child.kill('SIGTERM');
  await agent?.exited;
});

describe('the agent refuses', () => {
  it('unknown verbs, and arguments that do not pass the verb’s schema or role, changing nothing', async () => {
    const before = auditCount(agent.home);
    const record = { actor: 'x', role: 'admin', address: 'a', action: 'user.create', outcome: 'success' };
    const { answers, closed } = await exchange(agent.socket, [
      request(1, 'execShell', ['rm -rf /']),
      request(2, 'restartWorkload', [operator, { namespace: 'BAD NS', kind: 'deployment', name: 'x' }]),
      request(3, 'restartWorkload', [operator, { namespace: 'ns', kind: 'deployment', name: 'x', image: 'evil' }]),
      request(4, 'restartWorkload', [{ ...operator, role: 'viewer' }, { namespace: 'ns', kind: 'deployment', name: 'x' }]),
      request(5, 'deletePod', [operator]),
      request(6, 'offerBundle', [operator, { path: 'relative/file.outpost', source: 'cli' }]),
      request(7, 'auditAppend', [Array.from({ length: 129 }, () => record)]),
      request(8, 'auditAppend', [[{ ...record, detail: { blob: 'x'.repeat(9000) } }]]),
      request(9, 'auditAppend', [[{ ...record, actor: 'a'.repeat(65) }]]),
      request(10, 'rollbackRelease', [operator, 'app']),
      request(11, 'getUpgrade', ['../../etc/passwd']),
      request(12, 'agentInfo', []),
    ]);
    expect(closed).toBe(false);
    const byId = new Map(answers.map((a) => [a.id as number, a]));
    const code = (id: number) => (byId.get(id)?.error as { code?: string } | undefined)?.code;
    expect(code(1)).toBe('bad_request');
    expect((byId.get(1)?.error as { message: string }).message).toContain('unknown verb');
    for (const id of [2, 3, 5, 6, 7, 8, 9, 11]) expect(code(id), `request ${id}`).toBe('validation_failed');
    expect((byId.get(2)?.error as { errors: { path: string }[] }).errors[0]?.path).toBe('1.namespace');
    expect(code(4)).toBe('forbidden');
    expect(code(10)).toBe('forbidden');
    // The connection still serves well-formed requests after refusing the others.
    expect(byId.get(12)?.result).toMatchObject({ pid: agent.child.pid, engineReady: expect.any(Boolean) });
    expect(auditCount(agent.home)).toBe(before);
  });

  it('a line longer than 1 MiB and a line that is not JSON, closing the connection', async () => {
    const huge = await exchange(agent.socket, [`{"id":1,"verb":"auditAppend","args":[[{"actor":"${'x'.repeat((1 << 20) + 10)}`]);
    expect(huge.answers[0]).toMatchObject({ id: 0, error: { code: 'payload_too_large' } });
    expect(huge.closed).toBe(true);
    const junk = await exchange(agent.socket, ['hello agent']);
    expect(junk.answers[0]).toMatchObject({ id: 0, error: { code: 'bad_request' } });
    expect(junk.closed).toBe(true);
    const client = await connectAgentSocket(agent.socket);
    expect((await client.agentInfo()).pid).toBe(agent.child.pid);
    client.close();
  });

  it('every connection while its socket lets others in (mode 0666, another owner, a group it does not allow)', async () => {
    const tries: [string, () => void][] = [
      ['mode 0666', () => chmodSync(agent.socket, 0o666)],
      ['owner 4242', () => (chmodSync(agent.socket, 0o600), chownSync(agent.socket, 4242, 0))],
      ['group 4242 may connect', () => (chownSync(agent.socket, 0, 4242), chmodSync(agent.socket, 0o660))],
    ];
    try {
      for (const [what, spoil] of tries) {
        spoil();
        const { answers, closed } = await exchange(agent.socket, [request(1, 'agentInfo', [])]);
        expect(answers, what).toEqual([{ id: 0, error: { code: 'forbidden', message: expect.stringContaining('the agent refuses to serve') } }]);
        expect(closed, what).toBe(true);
      }
    } finally {
      chownSync(agent.socket, 0, 0);
      chmodSync(agent.socket, 0o600);
    }
    expect(agent.output()).toMatch(/has mode 0666: every local user could connect/);
    const { answers } = await exchange(agent.socket, [request(1, 'agentInfo', [])], 500);
    expect(answers[0]).toMatchObject({ id: 1, result: { pid: agent.child.pid } });
  });

  it('to start with an audit key folder that someone else owns', async () => {
    const home = tempDir('outpost-agent-stolen-');
    mkdirSync(path.join(home, 'agent'), { mode: 0o700 });
    writeFileSync(path.join(home, 'agent', 'audit.key'), `${'ab'.repeat(32)}\n`, { mode: 0o600 });
    chownSync(path.join(home, 'agent'), 4242, 4242);
    const stolen = startAgent(home);
    expect(await stolen.exited).toBe(1);
    expect(stolen.output()).toMatch(/belongs to uid 4242, not to the agent \(uid 0\): refusing to use an audit key someone else controls/);
  });
});

describe.skipIf(!commandAvailable('systemd-socket-activate'))('socket-activated (systemd-socket-activate, fd 3)', () => {
  it('starts on the first connection, serves it, and exits after its idle time saying bye', async () => {
    const home = tempDir('outpost-agent-activated-');
    const socket = path.join(home, 'agent.sock');
    const config = path.join(home, 'config.json');
    writeFileSync(config, JSON.stringify({ agent: { idleExitSeconds: 1 } }));
    const argv = ['systemd-socket-activate', '-l', socket, process.execPath, CLI, 'agent', '--home', home, '--config', config];
    const activated = startAgent(home, { argv });
    await eventually(() => activated.output().includes('Listening on'), 'systemd-socket-activate to listen', 20_000);
    expect(activated.output()).not.toContain('agent listening');
    // It binds the socket 0644 (any local user could connect, and the agent would refuse them all):
    // make it the agent's alone, as the unit's SocketMode does.
    chmodSync(socket, 0o600);
    const client = await connectAgentSocket(socket, 20_000);
    const info = await client.agentInfo();
    expect(info.pid).toBe(activated.child.pid);
    expect(activated.output()).toMatch(/"activated":true/);
    const closed = await client.closed;
    expect(closed.bye).toBe('idle');
    expect(await activated.exited).toBe(0);
    expect(activated.output()).toContain('agent idle: exiting until the next request');
  }, 60_000);
});
