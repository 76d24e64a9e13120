// `outpost support-bundle --out FILE`: the same bundle as Settings makes, from this process, with the
// daemon running or not: state from OUTPOST_HOME and the config, the cluster listed once through
// the same kubeconfig discovery, the journal. What only a running daemon holds in memory (health
// history, the verdict, its recent log lines) is named as absent. Audited as `support.bundle`.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfigOrReport } from './load-config.ts';
import { agentStateDir } from '../access.ts';
import { AuditLog, FileAuditSigner } from '../audit/index.ts';
import { listClusterForSupport } from '../cluster/index.ts';
import { readPackageVersion } from '../lib/package-info.ts';
import { openDatabase } from '../store/index.ts';
import { createSupportService, formatBytes, type WrittenBundle } from '../support/index.ts';
import type { Config } from '../config/index.ts';
import { auditChainState, supportBundleSpec, upgradeRecords } from '../support-sources.ts';
import { UpgradeStore } from '../upgrade/index.ts';

export const supportBundleHelp = `usage: outpost support-bundle --out FILE|DIR [--home DIR] [--config FILE]

Writes a support bundle (.tar.gz): versions, the configuration with secrets redacted, the audit
chain state, cluster objects and events (never Secrets), the last lines of every container of the
workloads in trouble, Outpost's journal. Bounded by support.maxBytes. With DIR, the file gets its own
name inside it. Works whether the daemon runs or not; see docs/support-bundle.md.`;

function describe(result: WrittenBundle): string {
  const lines = [`wrote ${result.path} (${formatBytes(result.fileBytes)}; ${formatBytes(result.tarBytes)} uncompressed, cap ${formatBytes(result.maxBytes)})`];
  for (const s of result.sections) {
    const why = [...s.notes, ...s.skipped.slice(0, 3).map((k) => `${k.path}: ${k.reason}`)].join('; ');
    lines.push(`  ${s.section.padEnd(15)} ${s.outcome.padEnd(9)} ${formatBytes(s.usedBytes).padStart(9)}${why ? `  ${why}` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

export async function supportBundleCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { out: { type: 'string' }, home: { type: 'string' }, config: { type: 'string' } }, strict: true });
  if (!values.out) {
    process.stderr.write(`${supportBundleHelp}\n`);
    return 2;
  }
  const config = loadConfigOrReport({ home: values.home, config: values.config });
  if (!config) return 2;
  const cancel = new AbortController();
  const stop = () => cancel.abort(new Error('interrupted'));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const who = process.env.SUDO_USER ?? process.env.USER ?? os.userInfo().username;
  try {
    let result: WrittenBundle;
    try {
      result = await writeSupportBundleAs(config, values.out, `cli:${who}`, cancel.signal);
    } catch (error) {
      process.stderr.write(`outpost: cannot write the support bundle: ${error instanceof Error ? error.message : String(error)}\n`);
      return 1;
    }
    process.stdout.write(describe(result));
    return 0;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

/**
 * Writes a support bundle from this process (the same sources as the command) through the support
 * service's `writeSupportBundle` hook, audited as `support.bundle` by `actor`: the command, and
 * `outpost usb attach` for a stick holding a file named `outpost-support`.
 */
export async function writeSupportBundleAs(config: Config, dest: string, actor: string, signal: AbortSignal): Promise<WrittenBundle> {
  const db = openDatabase(config.home);
  try {
    // The CLI runs as root on a device, like the agent: its records join the same keyed chain.
    const auditSigner = FileAuditSigner.open(agentStateDir(config.home), { create: true });
    const audit = new AuditLog(db, { signer: auditSigner, maxBytes: config.audit.maxBytes });
    const record = { actor, role: 'admin', address: 'local', action: 'support.bundle', target: 'support bundle' };
    const cluster = await listClusterForSupport(config.cluster.kubeconfig, config.cluster.stabilitySeconds * 1000);
    const spec = supportBundleSpec({ config, version: readPackageVersion(), db, auditChain: () => auditChainState(audit, auditSigner), cluster, daemon: null, upgrades: upgradeRecords(new UpgradeStore(db)) });
    try {
      const result = await createSupportService(() => spec).writeSupportBundle(dest, signal);
      const partial = result.sections.filter((s) => s.outcome !== 'complete').map((s) => s.section);
      audit.append({ ...record, target: result.path, outcome: 'success', detail: { bytes: result.fileBytes, partial } });
      return result;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      audit.append({ ...record, outcome: 'failure', detail: { reason: message.slice(0, 200) } });
      throw error;
    }
  } finally {
    db.close();
  }
}
