// `npm run bench`: runs every test/bench/*.bench.ts (or those named on the command line) and prints
// one table. Each module's default export returns rows; ratios compare against a reference measured
// in the same run, never against a fixed number. BENCH_QUICK=1 shortens every bench.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchRow } from './lib.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
  .sort();

const rows: (BenchRow & { bench: string })[] = [];
for (const file of files) {
  const bench = file.replace(/\.bench\.ts$/, '');
  process.stderr.write(`bench ${bench}…\n`);
  const started = Date.now();
  try {
    const mod = (await import(pathToFileURL(path.join(here, file)).href)) as { default: () => Promise<BenchRow[]> };
    for (const row of await mod.default()) rows.push({ bench, ...row });
  } catch (error) {
    rows.push({ bench, name: 'FAILED', value: error instanceof Error ? error.message : String(error) });
  }
  process.stderr.write(`bench ${bench} done in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
}

const columns = ['bench', 'name', 'value', 'reference', 'ratio', 'goal', 'note'] as const;
const table = [columns.map(String), ...rows.map((r) => columns.map((c) => String(r[c] ?? '')))];
const widths = columns.map((_, i) => Math.max(...table.map((line) => line[i]!.length)));
const print = (line: string[]) => `| ${line.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
console.log(print(table[0]!));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const line of table.slice(1)) console.log(print(line));
