// The units as a device gets them: install.sh into a tree (with cage and chromium present, so the
// kiosk is enabled), the host's own systemd units beside them (targets the [Install] sections name),
// then systemd's verifier and its offline security score on every Outpost unit in that tree.
import { cpSync, existsSync, lstatSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { installSh, runCommand } from './installed.ts';

const UNITS = ['outpost-web.service', 'outpost-agent.socket', 'outpost-agent.service', 'outpost-kiosk.service', 'outpost-usb@sdb1.service'];
const SERVICES = ['outpost-web.service', 'outpost-agent.service', 'outpost-kiosk.service', 'outpost-usb@sdb1.service'];

export interface UnitsReport {
  /** Verifier lines about Outpost units (empty when they verify). */
  problems: string[];
  exposure: Record<string, number>;
  kioskEnabled: boolean;
}

export async function installedUnitsReport(release: string, root: string): Promise<UnitsReport> {
  mkdirSync(path.join(root, 'usr/bin'), { recursive: true });
  // Stand-ins for the Debian packages cage and chromium: the verifier checks ExecStart= exists.
  for (const tool of ['cage', 'chromium']) writeFileSync(path.join(root, 'usr/bin', tool), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
  const install = await installSh(release, ['--root', root]);
  if (install.code !== 0) throw new Error(`install.sh failed: ${install.out}`);
  for (const dir of ['/usr/lib/systemd/system', '/lib/systemd/system']) {
    if (existsSync(dir)) {
      cpSync(dir, path.join(root, 'usr/lib/systemd/system'), { recursive: true, verbatimSymlinks: true, force: false, errorOnExist: false });
      break;
    }
  }
  const problems: string[] = [];
  for (const unit of UNITS) {
    const result = await runCommand(['systemd-analyze', 'verify', `--root=${root}`, '--man=no', unit], { timeoutMs: 60_000 });
    const lines = result.out.split('\n').filter((l) => l.includes('outpost'));
    if (result.code !== 0 || lines.length) problems.push(`${unit} (exit ${result.code}): ${lines.join(' | ') || result.out.trim()}`);
  }
  const exposure: Record<string, number> = {};
  for (const unit of SERVICES) {
    const result = await runCommand(['systemd-analyze', 'security', '--offline=true', `--root=${root}`, unit], { timeoutMs: 60_000 });
    const figure = new RegExp(`Overall exposure level for ${unit.replace('.', '\\.')}: ([0-9.]+)`).exec(result.out)?.[1];
    if (!figure) problems.push(`${unit}: no exposure figure in ${result.out.slice(-300)}`);
    else exposure[unit] = Number(figure);
  }
  // The link points into the tree's own /usr/local (absolute, as systemctl makes it): lstat, not stat.
  const link = path.join(root, 'etc/systemd/system/multi-user.target.wants/outpost-kiosk.service');
  return { problems, exposure, kioskEnabled: lstatSync(link, { throwIfNoEntry: false })?.isSymbolicLink() ?? false };
}
