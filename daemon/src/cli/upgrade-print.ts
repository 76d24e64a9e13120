// Text for `outpost upgrade`: the plan, progress lines and bar, outcomes, releases and history.
// Pure string building; the command decides where it goes.
import type { BundleOffer, ReleaseInfo, UpgradePlan, UpgradeRecord } from '../protocol/upgrade.ts';

export function size(bytes: number): string {
  if (bytes >= 1 << 30) return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
  if (bytes >= 1 << 20) return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  if (bytes >= 1 << 10) return `${(bytes / 2 ** 10).toFixed(1)} KiB`;
  return `${bytes} B`;
}

const ok = (b: boolean) => (b ? 'ok' : 'NOT OK');
const stamp = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'));

export function formatPlan(plan: UpgradePlan): string {
  const lines: string[] = [];
  const from = plan.from ? `${plan.from.version}` : '(nothing)';
  lines.push(`${plan.release} ${from} → ${plan.to.version} (${plan.kind}, sequence ${plan.from?.sequence ?? 0} → ${plan.to.sequence})   bundle ${plan.bundleId}`);
  lines.push(`  signed by   ${plan.signers.join(', ') || '-'}`);
  lines.push(`  sequence    installed ${plan.sequence.installed}, floor ${plan.sequence.floor}: ${ok(plan.sequence.ok)}`);
  lines.push(`  expires     ${plan.expiry.expires}: ${ok(plan.expiry.ok)}`);
  lines.push(`  architecture ${plan.architecture.required} (node ${plan.architecture.actual ?? '?'}): ${ok(plan.architecture.ok)}`);
  lines.push(`  Kubernetes  ${plan.kubernetes.required} (cluster ${plan.kubernetes.actual ?? '?'}): ${ok(plan.kubernetes.ok)}`);
  lines.push(`  Outpost     ${plan.outpost.required} (this is ${plan.outpost.actual ?? '?'}): ${ok(plan.outpost.ok)}`);
  const d = plan.disk;
  lines.push(`  disk        needs ${size(d.neededBytes)} on ${d.path}${d.freeBytes === null ? ' (free space unknown)' : `, ${size(d.freeBytes)} free, ${size(d.reserveBytes ?? 0)} kept free`}: ${ok(d.ok)}`);
  lines.push(`  gate        stable for ${plan.gate.stabilitySeconds} s within ${plan.gate.timeoutSeconds} s: ${plan.gate.workloads.join(', ') || 'no workloads'}`);
  const blocking = plan.problems.filter((p) => p.blocking);
  const warnings = plan.problems.filter((p) => !p.blocking);
  if (blocking.length > 0) lines.push('', `BLOCKING (${blocking.length}): nothing will be changed`, ...blocking.map((p) => `  ✗ ${p.code}: ${p.message}`));
  if (warnings.length > 0) lines.push('', `warnings (${warnings.length})`, ...warnings.map((p) => `  ! ${p.code}: ${p.message}`));
  lines.push('', `images (${plan.images.length})`);
  for (const i of plan.images) lines.push(`  ${i.references.join(', ')}  ${size(i.size)}  ${i.platform}  ${i.imported ? 'already imported' : i.present ? 'present (re-imported from the bundle)' : 'to import'}`);
  const count = (c: string) => plan.objects.filter((o) => o.change === c).length;
  lines.push('', `objects: ${count('added')} added, ${count('changed')} changed, ${count('unchanged')} unchanged, ${count('removed')} removed`);
  const mark = { added: '+', changed: '~', unchanged: '=', removed: '-' } as const;
  for (const o of plan.objects) {
    lines.push(`  ${mark[o.change]} ${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}${o.conflicts.length > 0 ? `  (takes over fields of ${o.conflicts.map((c) => c.manager).join(', ')})` : ''}`);
    for (const f of o.fields) lines.push(`      ${f.field}: ${f.change === 'changed' ? `${f.from ?? '…'} → ${f.to ?? '…'}` : f.change === 'added' ? `added${f.to ? ` (${f.to})` : ''}` : 'removed'}`);
  }
  if (plan.notes) lines.push('', 'release notes', ...plan.notes.trimEnd().split('\n').map((l) => `  ${l}`));
  lines.push('', `${plan.steps} steps`);
  return `${lines.join('\n')}\n`;
}

export function progressLine(r: UpgradeRecord, width = 30): string {
  const pct = r.bytes.total > 0 && r.phase === 'importing' ? r.bytes.done / r.bytes.total : r.step.of > 0 ? r.step.n / r.step.of : 0;
  const filled = Math.round(Math.min(1, Math.max(0, pct)) * width);
  const bytes = r.phase === 'importing' && r.bytes.total > 0 ? ` ${size(r.bytes.done)}/${size(r.bytes.total)}` : '';
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(pct * 100)).padStart(3)}% ${r.phase} ${r.step.n}/${r.step.of} ${r.step.label}${bytes}`;
}

export function formatOutcome(r: UpgradeRecord): string {
  const lines = [`${r.outcome ?? 'running'}: ${r.release} ${r.fromVersion ?? '(nothing)'} → ${r.toVersion}${r.code ? ` (${r.code})` : ''}`, `  ${r.message}`];
  for (const reason of r.reasons) {
    lines.push(`  ${reason.object}${reason.pod ? ` pod ${reason.pod}` : ''}${reason.container ? ` container ${reason.container}` : ''}: ${reason.reason} — ${reason.message}`);
    for (const e of reason.events) lines.push(`      event: ${e}`);
    for (const l of reason.logs.slice(-10)) lines.push(`      log: ${l}`);
  }
  return `${lines.join('\n')}\n`;
}

export function formatStatus(releases: ReleaseInfo[], current: UpgradeRecord | null, bundles: BundleOffer[]): string {
  const lines = ['releases'];
  if (releases.length === 0) lines.push('  none installed');
  for (const r of releases) {
    const last = r.lastOutcome ? `; last ${r.lastOutcome.outcome}${r.lastOutcome.code ? ` (${r.lastOutcome.code})` : ''}` : '';
    lines.push(`  ${r.name.padEnd(20)} ${(r.version ?? '-').padEnd(12)} ${r.status}${r.message ? `: ${r.message}` : ''}${last}; kept ${r.keptVersions.map((k) => k.version).join(', ') || '-'}`);
  }
  lines.push('', 'running upgrade', current ? `  ${current.release} ${current.fromVersion ?? '(nothing)'} → ${current.toVersion}: ${progressLine(current)}` : '  none');
  lines.push('', 'offered bundles');
  if (bundles.length === 0) lines.push('  none');
  for (const b of bundles) lines.push(`  ${b.id}  ${b.name} ${b.version} (sequence ${b.sequence}) from ${b.source}${b.blocking.length > 0 ? `, ${b.blocking.length} blocking` : ''}`);
  return `${lines.join('\n')}\n`;
}

export function formatHistory(upgrades: UpgradeRecord[]): string {
  if (upgrades.length === 0) return 'no upgrades yet\n';
  return `${upgrades
    .map((u) => `${stamp(u.startedAt)}  ${u.kind.padEnd(8)} ${u.release} ${u.fromVersion ?? '-'} → ${u.toVersion}  ${u.outcome ?? `running (${u.phase})`}${u.code ? ` ${u.code}` : ''}  by ${u.actor}${u.resumes > 0 ? `, resumed ${u.resumes}×` : ''}`)
    .join('\n')}\n`;
}
