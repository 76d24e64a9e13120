// `npm test`: type checks, lint, svelte-check, the UI build, then every vitest project (unit, ui,
// integration, e2e). Ends with one line `N passed, N failed` summed over everything, which CI reads.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const results = path.join(root, 'test-results');
mkdirSync(results, { recursive: true });

let passed = 0;
let failed = 0;

function step(name: string, command: string, args: string[]): boolean {
  process.stdout.write(`\n== ${name}: ${command} ${args.join(' ')}\n`);
  const started = Date.now();
  const run = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: process.env });
  const ok = run.status === 0;
  process.stdout.write(`== ${name}: ${ok ? 'ok' : `FAILED (exit ${run.status ?? run.signal})`} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return ok;
}

const checks: [string, string, string[]][] = [
  ['typescript', 'tsc', ['-p', 'tsconfig.json']],
  ['typescript (browser tests)', 'tsc', ['-p', 'test/e2e/tsconfig.json']],
  ['eslint', 'eslint', ['.']],
  ['svelte-check', 'svelte-check', ['--tsconfig', 'ui/tsconfig.json', '--fail-on-warnings', '--output', 'human']],
  ['ui build', 'vite', ['build', '--config', 'ui/vite.config.ts', '--logLevel', 'warn']],
];
for (const [name, command, args] of checks) {
  if (step(name, command, args)) passed += 1;
  else failed += 1;
}

const report = path.join(results, 'vitest.json');
rmSync(report, { force: true });
const projects = process.argv.slice(2);
step('vitest', 'vitest', ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...projects.flatMap((p) => ['--project', p])]);
interface VitestReport {
  numPassedTests: number;
  numFailedTests: number;
  testResults: { name: string; status: string; assertionResults: { status: string }[] }[];
}
if (existsSync(report)) {
  const json = JSON.parse(readFileSync(report, 'utf8')) as VitestReport;
  passed += json.numPassedTests;
  failed += json.numFailedTests;
  // A file that failed to load (or whose hooks threw) has no failing test of its own; count it once.
  for (const file of json.testResults) {
    if (file.status === 'failed' && !file.assertionResults.some((a) => a.status === 'failed')) {
      process.stdout.write(`suite failed outside its tests: ${path.relative(root, file.name)}\n`);
      failed += 1;
    }
  }
} else {
  process.stdout.write('vitest wrote no report; counting the run as one failure\n');
  failed += 1;
}

process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exit(failed === 0 ? 0 : 1);
