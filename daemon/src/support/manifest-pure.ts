// The support bundle's own table of contents (pure): index.json for tools and MANIFEST.txt for
// people, written as the archive's last two members (the archive is streamed, so only then is
// everything known). Both always fit the index budget: member lists are shortened when needed.
import { END_OF_ARCHIVE, formatBytes, tarCost } from './budget-pure.ts';
import type { SectionRecord, SupportBundleSummary } from './types.ts';

export const INDEX_FORMAT = 'outpost.support-bundle.v1';

/** What a support bundle never holds, whatever its collectors do (docs/support-bundle.md). */
export const NEVER_INCLUDED: readonly string[] = [
  'Kubernetes Secrets (not even listed) and ConfigMaps; environment values that come from a Secret appear only as references',
  'tokens (the metrics scrape token, session ids and CSRF tokens, Kubernetes credentials and the kubeconfig, the first-start setup code)',
  'private keys: the TLS key, bundle signing keys, the audit key',
  'password hashes and the user list',
  'audit records: only the chain state (verified, length, head); admins export the log from the Audit page',
];

export interface IndexDocument {
  format: string;
  createdAt: string;
  maxBytes: number;
  never: readonly string[];
  sections: (Omit<SectionRecord, 'members'> & { members: SectionRecord['members']; membersOmitted: number })[];
}

function documentFor(summary: Omit<SupportBundleSummary, 'tarBytes'>, membersPerSection: number): IndexDocument {
  return {
    format: INDEX_FORMAT,
    createdAt: summary.createdAt,
    maxBytes: summary.maxBytes,
    never: NEVER_INCLUDED,
    sections: summary.sections.map((s) => ({
      ...s,
      members: s.members.slice(0, membersPerSection),
      membersOmitted: Math.max(0, s.members.length - membersPerSection),
    })),
  };
}

function manifestText(doc: IndexDocument, fileName: string): string {
  const lines = [`Outpost support bundle ${fileName}`, `made ${doc.createdAt}; size cap ${formatBytes(doc.maxBytes)} (support.maxBytes)`];
  lines.push('', 'Never included:');
  for (const item of doc.never) lines.push(`  - ${item}`);
  for (const s of doc.sections) {
    lines.push('', `${s.section}/ — ${s.title}: ${s.outcome}, ${formatBytes(s.usedBytes)} of ${formatBytes(s.budgetBytes)}, ${s.durationMs} ms`);
    for (const note of s.notes) lines.push(`  note: ${note}`);
    for (const m of s.members) lines.push(`  ${m.path}  ${formatBytes(m.bytes)}${m.truncated ? `  (cut: ${m.truncated})` : ''}`);
    if (s.membersOmitted > 0) lines.push(`  … and ${s.membersOmitted} more files (see the archive)`);
    for (const k of s.skipped) lines.push(`  skipped ${k.path}: ${k.reason}`);
  }
  lines.push('', 'index.json holds the same in machine-readable form.', '');
  return lines.join('\n');
}

/**
 * index.json and MANIFEST.txt for the bundle, each line passed through `clean` (the scrubber), shortened
 * until both (with their tar headers and the end-of-archive blocks) fit in `budget` bytes.
 */
export function renderIndex(
  summary: Omit<SupportBundleSummary, 'tarBytes'>,
  budget: number,
  clean: (line: string) => string = (l) => l,
): { json: string; text: string } {
  const cleaned = (text: string) => text.split('\n').map(clean).join('\n');
  for (const perSection of [Number.POSITIVE_INFINITY, 50, 10, 0]) {
    const doc = documentFor(summary, perSection);
    const shortLists = (s: IndexDocument['sections'][number]) => ({ ...s, skipped: s.skipped.slice(0, 5), notes: s.notes.slice(0, 5) });
    const trimmed = perSection === 0 ? { ...doc, sections: doc.sections.map(shortLists) } : doc;
    const json = cleaned(`${JSON.stringify(trimmed, null, 2)}\n`);
    const text = cleaned(manifestText(trimmed, summary.fileName));
    if (tarCost(Buffer.byteLength(json)) + tarCost(Buffer.byteLength(text)) + END_OF_ARCHIVE <= budget) return { json, text };
  }
  const note = 'the index did not fit its budget; sections are the folders';
  const json = `${JSON.stringify({ format: INDEX_FORMAT, createdAt: summary.createdAt, never: NEVER_INCLUDED, note })}\n`;
  return { json, text: `Outpost support bundle ${summary.fileName}\nThe index did not fit its budget; each section is a folder.\n` };
}
