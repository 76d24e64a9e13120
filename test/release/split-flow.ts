// The privilege split of an INSTALLED tree (install-flow.ts runs it inside the loopback-only network
// namespace): the kube-sim with the demo's plant line and scripts/k8s, a token kubeconfig for each of
// Outpost's identities, the installed `outpost serve --with-agent` — the web process with the
// read-only `outpost-web` token, its agent child (the tree's own Node and compiled CLI) with the
// `outpost-agent` token — a login, a restart through the split to done, then a clean stop.
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { EventMessage, RestartAccepted, WorkloadSummary } from '../../daemon/src/protocol/index.ts';
import { login } from '../helpers/auth.ts';
import { eventually } from '../helpers/cluster.ts';
import { ROOT as CHECKOUT, stopDaemon } from '../helpers/daemon.ts';
import { TestFeedClient } from '../helpers/feed-client.ts';
import { startInstalled, stopChild } from './installed.ts';

export interface SplitReport {
  /** The agent's command line, as /proc shows it: the tree's Node running the tree's compiled CLI. */
  agentCommand: string;
  /** kubectl with the web's kubeconfig trying the same restart. */
  webWrite: { code: number; out: string };
  restart: { status: number; phase: string | null; message: string | null };
  exit: number | string;
  agentGone: boolean;
  stderr: string;
}

const TARGET = 'messaging/deployment/mqtt-broker';

function startSim(dir: string): Promise<{ child: ReturnType<typeof spawn>; files: Record<'admin' | 'web' | 'agent', string> }> {
  const files = { admin: path.join(dir, 'admin.kubeconfig'), web: path.join(dir, 'web.kubeconfig'), agent: path.join(dir, 'agent.kubeconfig') };
  const args = [path.join(CHECKOUT, 'test/kube-sim/cli.ts'), '--port', '0', '--kubeconfig-out', files.admin, '--fast'];
  args.push('--fixtures', path.join(CHECKOUT, 'test/kube-sim/fixtures/demo'), '--fixtures', path.join(CHECKOUT, 'scripts/k8s'));
  args.push('--token-kubeconfig', `outpost-system/outpost-web=${files.web}`, '--token-kubeconfig', `outpost-system/outpost-agent=${files.agent}`);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`kube-sim did not start: ${out}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (/kube-sim listening on/.test(out) && out.includes('kubeconfig written')) {
        clearTimeout(timer);
        resolve({ child, files });
      }
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`kube-sim exited (${code}): ${out}`)));
  });
}

function kubectl(kubeconfig: string, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) =>
    execFile('/usr/bin/kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', path.join(path.dirname(kubeconfig), 'kubectl-cache'), ...args], { timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? 1 : 0, out: `${stdout}${stderr}`.slice(0, 2000) }),
    ),
  );
}

export async function splitRestart(root: string, username: string, password: string): Promise<SplitReport> {
  const sim = await startSim(path.join(root, 'etc/outpost'));
  const home = path.join(root, 'var/lib/outpost');
  try {
    const daemon = await startInstalled(root, { args: ['--with-agent'], env: { OUTPOST_KUBECONFIG: sim.files.web, OUTPOST_AGENT_KUBECONFIG: sim.files.agent, OUTPOST_LOG_LEVEL: 'info' } });
    let agentPid = 0;
    try {
      agentPid = await eventually(() => (existsSync(path.join(home, 'agent.pid')) ? Number(readFileSync(path.join(home, 'agent.pid'), 'utf8')) : 0), 'the agent', 60_000);
      const agentCommand = readFileSync(`/proc/${agentPid}/cmdline`, 'utf8').split('\0').join(' ').trim();
      const webWrite = await kubectl(sim.files.web, ['-n', 'messaging', 'rollout', 'restart', 'deployment/mqtt-broker']);
      const session = await login(daemon.url, username, password);
      await eventually(async () => {
        const res = await fetch(new URL('/api/v1/workloads', daemon.url), { headers: session.auth(), signal: AbortSignal.timeout(20_000) });
        const { workloads } = (await res.json()) as { workloads: WorkloadSummary[] };
        return workloads.find((w) => w.key === TARGET && w.ready === w.desired && w.desired > 0);
      }, `${TARGET} ready`, 60_000);
      const feed = await TestFeedClient.open(daemon.url, session.feed());
      let restart: SplitReport['restart'];
      try {
        feed.send({ type: 'subscribe', topic: 'cluster' });
        await feed.waitFor((m) => m.type === 'snapshot', { timeoutMs: 20_000 });
        const res = await fetch(new URL(`/api/v1/workloads/${TARGET}/restart`, daemon.url), { method: 'POST', headers: session.headers(), body: '{}', signal: AbortSignal.timeout(30_000) });
        const accepted = res.status === 202 ? ((await res.json()) as RestartAccepted).action : null;
        const end = accepted
          ? await feed.waitFor<EventMessage<'cluster'>>((m) => {
              const e = (m as EventMessage<'cluster'>).event as { kind?: string; action?: { id: string; phase: string } } | undefined;
              return m.type === 'event' && e?.kind === 'cluster.action.v1' && e.action?.id === accepted.id && ['done', 'failed'].includes(e.action.phase);
            }, { timeoutMs: 90_000 })
          : null;
        const action = (end?.event as { action?: { phase: string; message: string } } | undefined)?.action;
        restart = { status: res.status, phase: action?.phase ?? null, message: action?.message ?? null };
      } finally {
        feed.close();
      }
      const exit = await stopDaemon(daemon);
      const agentGone = await eventually(() => !existsSync(`/proc/${agentPid}`), 'the agent to stop with the web', 15_000).catch(() => false);
      return { agentCommand, webWrite, restart, exit, agentGone, stderr: daemon.stderr().slice(-2000) };
    } finally {
      await stopDaemon(daemon);
      if (agentPid && existsSync(`/proc/${agentPid}`)) process.kill(agentPid, 'SIGKILL');
    }
  } finally {
    await stopChild(sim.child);
  }
}
