// Import cost accounting for the footprint bench: for each module named on the command line, a
// fresh Node (this one) imports it alone, collects garbage, and reports its RSS, V8 heap and
// external memory above a fresh Node that imports nothing. Run with the release folder as cwd so
// bare names resolve to the release's own node_modules. Prints one JSON line.
import { execFileSync } from 'node:child_process';

interface Cost {
  module: string;
  rss: number;
  heap: number;
}

const probe = (spec: string | null): string => `
const gc = globalThis.gc;
${spec ? `await import(${JSON.stringify(spec)});` : ''}
for (let i = 0; i < 3; i++) { gc(); await new Promise((r) => setTimeout(r, 100)); }
const m = process.memoryUsage();
process.stdout.write(JSON.stringify({ rss: m.rss, heap: m.heapUsed }));`;

function measure(spec: string | null): { rss: number; heap: number } {
  const text = execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', probe(spec)], { encoding: 'utf8', timeout: 60_000 });
  return JSON.parse(text) as { rss: number; heap: number };
}

const base = measure(null);
const costs: Cost[] = process.argv.slice(2).map((module) => {
  const m = measure(module);
  return { module, rss: m.rss - base.rss, heap: m.heap - base.heap };
});
process.stdout.write(`${JSON.stringify({ base, costs })}\n`);
