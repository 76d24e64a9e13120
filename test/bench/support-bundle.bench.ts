// Bench: a support bundle made from more input than its cap (journal lines, pod objects, container
// logs), in a child process, against the reference of the same input piped straight through gzip.
// Memory must not grow with the cap (the archive is streamed, sections are spooled to disk) and
// stay close to the reference's; throughput is the price of scrubbing every line and spooling.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mb, QUICK, ratio, type BenchRow } from './lib.ts';

const CHILD = fileURLToPath(new URL('./support-bundle-child.ts', import.meta.url));
const MiB = 1024 * 1024;

interface ChildResult {
  seconds: number;
  maxRssBytes: number;
  inputBytes: number;
  fileBytes: number;
}

async function runChild(mode: 'bundle' | 'gzip', maxBytes: number, inputBytes: number): Promise<ChildResult> {
  const dir = await mkdtemp(join(tmpdir(), 'outpost-bench-support-'));
  try {
    const result = spawnSync(process.execPath, [CHILD, mode, dir, String(maxBytes), String(inputBytes)], { encoding: 'utf8', timeout: 10 * 60_000 });
    if (result.status !== 0) throw new Error(`support bundle child failed: ${result.stderr || result.error?.message}`);
    return JSON.parse(result.stdout.trim()) as ChildResult;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const mbps = (r: ChildResult) => `${(r.inputBytes / r.seconds / 1e6).toFixed(1)} MB/s`;

export default async function benchSupportBundle(): Promise<BenchRow[]> {
  const small = QUICK ? 5 * MiB : 10 * MiB;
  const large = QUICK ? 50 * MiB : 100 * MiB;
  // The same input for both caps, twice the larger one: only the cap differs.
  const input = 2 * large;
  const smallRun = await runChild('bundle', small, input);
  const largeRun = await runChild('bundle', large, input);
  const reference = await runChild('gzip', large, input);
  return [
    {
      name: `peak RSS, ${mb(large)} cap from ${mb(input)} of input`,
      value: mb(largeRun.maxRssBytes),
      reference: `${mb(reference.maxRssBytes)} (gzip of the same input)`,
      ratio: ratio(largeRun.maxRssBytes, reference.maxRssBytes),
      goal: '≤ 1.5×',
    },
    {
      name: `peak RSS, ${mb(large)} cap vs ${mb(small)} cap, same input`,
      value: mb(largeRun.maxRssBytes),
      reference: mb(smallRun.maxRssBytes),
      ratio: ratio(largeRun.maxRssBytes, smallRun.maxRssBytes),
      goal: '≤ 1.2× (flat)',
      note: 'memory does not grow with the cap',
    },
    {
      name: `throughput, ${mb(input)} of input`,
      value: mbps(largeRun),
      reference: `${mbps(reference)} (gzip)`,
      ratio: ratio(largeRun.inputBytes / largeRun.seconds, reference.inputBytes / reference.seconds),
      goal: '≥ 0.25×',
      note: `bundle ${mb(largeRun.fileBytes)} (≤ cap), every line scrubbed`,
    },
  ];
}
