// What is written back to a stick (`outpost-result.json` and `outpost-result.txt`), from its state.
// Pure. The JSON is for tools (format `outpost-usb-result/v1`); the text for the person holding it.
import type { StickResult, StickState } from '../protocol/arrival.ts';

export const RESULT_FORMAT = 'outpost-usb-result/v1';

export interface ResultDocument {
  format: typeof RESULT_FORMAT;
  /** The overall outcome: the worst of the results (failed > rolled_back > refused > offered > committed), or none. */
  outcome: StickResult['outcome'] | 'nothing';
  code: string | null;
  message: string;
  device: { hostname: string; outpostVersion: string };
  stick: { label: string | null; serial: string | null; device: string };
  policy: StickState['policy'];
  startedAt: string;
  finishedAt: string;
  results: (Omit<StickResult, 'startedAt' | 'finishedAt'> & { startedAt: string; finishedAt: string })[];
  /** Every bundle file found, with what became of it. */
  files: { file: string; release: string | null; version: string | null; sequence: number | null; state: string; code: string | null; message: string | null }[];
}

const RANK: Record<StickResult['outcome'], number> = { failed: 5, rolled_back: 4, refused: 3, offered: 2, committed: 1 };

export function overallOutcome(results: readonly StickResult[]): ResultDocument['outcome'] {
  if (results.length === 0) return 'nothing';
  return [...results].sort((a, b) => RANK[b.outcome] - RANK[a.outcome])[0]!.outcome;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function resultDocument(stick: StickState, device: ResultDocument['device'], finishedAt: number): ResultDocument {
  const worst = [...stick.results].sort((a, b) => RANK[b.outcome] - RANK[a.outcome])[0];
  return {
    format: RESULT_FORMAT,
    outcome: overallOutcome(stick.results),
    code: worst?.code ?? stick.code,
    message: stick.message,
    device,
    stick: { label: stick.label, serial: stick.serial, device: stick.device },
    policy: stick.policy,
    startedAt: iso(stick.attachedAt),
    finishedAt: iso(finishedAt),
    results: stick.results.map((r) => ({ ...r, startedAt: iso(r.startedAt), finishedAt: iso(r.finishedAt) })),
    files: stick.bundles.map((b) => ({ file: b.file, release: b.release, version: b.version, sequence: b.sequence, state: b.state, code: b.code, message: b.message })),
  };
}

const WORDS: Record<StickResult['outcome'], string> = {
  committed: 'INSTALLED',
  rolled_back: 'ROLLED BACK (the previous version runs again)',
  failed: 'FAILED',
  refused: 'NOT APPLIED',
  offered: 'WAITING FOR AN OPERATOR (apply it in the LocalUI)',
};

/** A few lines a person can read on any computer. */
export function resultText(doc: ResultDocument): string {
  const lines = [`Outpost on ${doc.device.hostname} (Outpost ${doc.device.outpostVersion})`, `Stick ${doc.stick.label ?? doc.stick.serial ?? doc.stick.device}, ${doc.finishedAt}`, ''];
  if (doc.results.length === 0) lines.push(`Nothing was applied: ${doc.message}`);
  for (const r of doc.results) {
    lines.push(`${r.release}: ${r.fromVersion ?? '(nothing)'} -> ${r.toVersion}  ${WORDS[r.outcome]}${r.code ? `  [${r.code}]` : ''}`);
    for (const reason of r.reasons.slice(0, 5)) lines.push(`  - ${reason}`);
  }
  const others = doc.files.filter((f) => f.state === 'refused' || f.state === 'superseded');
  if (others.length > 0) lines.push('', 'Other files:');
  for (const f of others) lines.push(`  ${f.file}: ${f.state}${f.code ? ` [${f.code}]` : ''}${f.message ? ` ${f.message}` : ''}`);
  lines.push('', `Details: ${'outpost-result.json'}`, '');
  return lines.join('\n');
}
