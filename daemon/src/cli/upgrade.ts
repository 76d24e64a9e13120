// `outpost upgrade offer|apply|status|history|rollback` (docs/upgrades.md). With a daemon running,
// every verb goes through its agent socket (the same lane, the same journal); with none, this
// process takes the engine lock and runs the engine itself, recovering an interrupted upgrade first.
// Exit codes: 0 committed (or done), 1 rolled back, refused or failed, 2 usage.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { connectAgentSocket, ExclusiveRunner, type Actor, type UpgradeAgent } from '../agent/index.ts';
import { agentStateDir } from '../access.ts';
import { AuditLog, FileAuditSigner } from '../audit/index.ts';
import type { Config } from '../config/index.ts';
import { isOutpostError } from '../lib/errors.ts';
import { createLogger } from '../lib/logger.ts';
import type { ApplyResult, UpgradePlan, UpgradeRecord } from '../protocol/upgrade.ts';
import { buildUpgradeHost } from '../upgrade-host.ts';
import { loadConfigOrReport } from './load-config.ts';
import { formatHistory, formatOutcome, formatPlan, formatStatus, progressLine } from './upgrade-print.ts';

export const upgradeHelp = `usage: outpost upgrade COMMAND [--home DIR] [--config FILE]

  offer FILE [--json]                   verify and stage a bundle, print its plan and id
  apply FILE|ID [--yes] [--json]        offer if needed, show the plan, ask, apply, follow to the end
  status [--json]                       releases, the running upgrade, offered bundles
  history [--json]                      every upgrade with its outcome
  rollback RELEASE [--yes] [--json]     roll a release back to its previous committed version

Exit: 0 committed, 1 rolled back, refused or failed, 2 usage. The trust folder is upgrade.trustDir
(default $OUTPOST_HOME/trust). With the daemon running, the CLI goes through it.`;

interface Opened {
  agent: UpgradeAgent;
  via: 'daemon' | 'local';
  close(): void;
}

const actor = (): Actor => ({ name: `cli:${process.env.SUDO_USER ?? process.env.USER ?? 'root'}`, role: 'admin', address: 'local' });

/** The daemon's agent, else the engine in this process (taking the lock only when it will change things). */
async function openAgent(config: Config, mutating: boolean): Promise<Opened> {
  const socket = config.agent.socket;
  try {
    const client = await connectAgentSocket(socket);
    return { agent: client, via: 'daemon', close: () => client.close() };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ECONNREFUSED') throw error;
  }
  const log = createLogger('silent');
  const runner = new ExclusiveRunner();
  let audit: AuditLog | null = null;
  const host = await buildUpgradeHost({ config, log, runner, audit: (e) => audit?.append({ actor: e.actor.name, role: e.actor.role, address: e.actor.address, action: e.action, target: e.target, outcome: e.outcome, detail: e.detail }) });
  // The engine's records join the same keyed chain the daemon writes (the key lives in the agent's state).
  audit = new AuditLog(host.db, { signer: FileAuditSigner.open(agentStateDir(config.home), { create: true }), maxBytes: config.audit.maxBytes });
  const close = () => {
    runner.stop();
    host.lock.release();
    host.close();
  };
  if (mutating) {
    const lock = host.lock.acquire(`outpost upgrade (pid ${process.pid})`);
    if (!lock.ok) {
      close();
      throw new Error(`${lock.by.holder} (pid ${lock.by.pid}) holds the upgrade engine, but ${socket} does not answer`);
    }
    if (await host.service.currentUpgrade()) process.stderr.write('outpost: finishing an interrupted upgrade first…\n');
    await host.service.start();
  }
  return { agent: host.service, via: 'local', close };
}

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

async function follow(agent: UpgradeAgent, upgradeId: string, json: boolean): Promise<UpgradeRecord> {
  const tty = process.stderr.isTTY && !json;
  let lastPhase = '';
  const record = await agent.followUpgrade(upgradeId, (r) => {
    if (json) return;
    if (tty) process.stderr.write(`\r\x1b[2K${progressLine(r)}`.slice(0, (process.stderr.columns ?? 120) + 8));
    else if (r.phase !== lastPhase) process.stderr.write(`${r.phase}: ${r.step.n}/${r.step.of} ${r.step.label}\n`);
    lastPhase = r.phase;
  });
  if (tty) process.stderr.write('\n');
  return record;
}

function result(r: UpgradeRecord): ApplyResult {
  return { outcome: r.outcome ?? 'failed', code: r.code, message: r.message, release: r.release, version: r.outcome === 'committed' ? r.toVersion : (r.fromVersion ?? r.toVersion) };
}

/** Shows the plan, asks, applies, follows. */
async function runPlanned(opened: Opened, plan: UpgradePlan, json: boolean, yes: boolean, start: () => Promise<{ upgradeId: string }>): Promise<number> {
  const refused = (code: string, message: string): number => {
    const r: ApplyResult = { outcome: 'refused', code, message, release: plan.release, version: plan.from?.version ?? plan.to.version };
    process.stdout.write(json ? `${JSON.stringify(r)}\n` : `refused: ${message}\n`);
    return 1;
  };
  if (!json) process.stdout.write(formatPlan(plan));
  if (plan.blocking > 0) return refused('upgrade.blocked', `${plan.blocking} blocking problem${plan.blocking === 1 ? '' : 's'}: ${plan.problems.filter((p) => p.blocking).map((p) => p.message).join('; ')}`);
  const question = `${plan.kind === 'rollback' ? 'Roll back' : 'Apply'} ${plan.release} ${plan.from?.version ?? '(nothing)'} → ${plan.to.version} (${plan.steps} steps)?`;
  if (!yes) {
    if (!process.stdin.isTTY) {
      process.stderr.write('outpost upgrade: not a terminal: pass --yes to go ahead without asking\n');
      return 2;
    }
    if (!(await confirm(question))) return refused('cancelled', 'not confirmed');
  }
  let started: { upgradeId: string };
  try {
    started = await start();
  } catch (error) {
    if (isOutpostError(error)) return refused(error.code, error.message);
    throw error;
  }
  if (!json) process.stderr.write(`upgrade ${started.upgradeId} (${opened.via === 'daemon' ? 'through the daemon' : 'in this process'})\n`);
  const record = await follow(opened.agent, started.upgradeId, json);
  process.stdout.write(json ? `${JSON.stringify(result(record))}\n` : formatOutcome(record));
  return record.outcome === 'committed' ? 0 : 1;
}

async function offerOrFind(agent: UpgradeAgent, target: string): Promise<{ id: string; plan: UpgradePlan }> {
  if (/^[0-9a-f]{16}$/.test(target) && !existsSync(target)) return { id: target, plan: await agent.bundlePlan(target) };
  const offered = await agent.offerBundle(actor(), { path: path.resolve(target), source: 'cli' });
  return { id: offered.bundle.id, plan: offered.plan };
}

export async function upgradeCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { json: { type: 'boolean', default: false }, yes: { type: 'boolean', default: false }, home: { type: 'string' }, config: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const [sub, target, ...extra] = positionals;
  const needsTarget = sub === 'offer' || sub === 'apply' || sub === 'rollback';
  if (!sub || extra.length > 0 || needsTarget !== (target !== undefined) || !['offer', 'apply', 'status', 'history', 'rollback'].includes(sub)) {
    process.stderr.write(`${upgradeHelp}\n`);
    return 2;
  }
  const config = loadConfigOrReport({ home: values.home, config: values.config });
  if (!config) return 2;
  const json = values.json === true;
  let opened: Opened | undefined;
  try {
    opened = await openAgent(config, sub !== 'status' && sub !== 'history');
    const agent = opened.agent;
    switch (sub) {
      case 'offer': {
        const offered = await agent.offerBundle(actor(), { path: path.resolve(target as string), source: 'cli' });
        process.stdout.write(json ? `${JSON.stringify({ id: offered.bundle.id, alreadyOffered: offered.alreadyOffered, bundle: offered.bundle, plan: offered.plan })}\n` : `${formatPlan(offered.plan)}\noffered as ${offered.bundle.id}${offered.alreadyOffered ? ' (already offered)' : ''}\n`);
        return 0;
      }
      case 'apply': {
        const { id, plan } = await offerOrFind(agent, target as string);
        return await runPlanned(opened, plan, json, values.yes === true, () => agent.applyBundle(actor(), id));
      }
      case 'rollback': {
        const plan = await agent.rollbackPlan(target as string);
        return await runPlanned(opened, plan, json, values.yes === true, () => agent.rollbackRelease(actor(), target as string));
      }
      case 'status': {
        const [releases, current, bundles] = await Promise.all([agent.listReleases(), agent.currentUpgrade(), agent.listBundles()]);
        process.stdout.write(json ? `${JSON.stringify({ releases, current, bundles })}\n` : formatStatus(releases, current, bundles));
        return 0;
      }
      default: {
        const upgrades = await agent.upgradeHistory({ limit: 100 });
        process.stdout.write(json ? `${JSON.stringify({ upgrades })}\n` : formatHistory(upgrades));
        return 0;
      }
    }
  } catch (error) {
    const code = isOutpostError(error) ? error.code : ((error as { code?: string }).code ?? 'error');
    if (json) process.stdout.write(`${JSON.stringify({ outcome: 'refused', code, message: (error as Error).message, release: null, version: null })}\n`);
    else process.stderr.write(`outpost upgrade: ${(error as Error).message}${isOutpostError(error) ? ` (${error.code})` : ''}\n`);
    return 1;
  } finally {
    opened?.close();
  }
}
