// Health sampling cost: CPU of the outpost sampler at 1 Hz against a minimal native /proc reader and
// a systeminformation-only sampler, each in its own process measured through /proc/<pid>/stat
// (children included, since systeminformation spawns them). Plus the RSS of a full 24 h history.
// BENCH_QUICK=1 measures 15 s instead of 60 s.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

type Row = { name: string; value: string; reference?: string; ratio?: string; goal?: string; note?: string };

const CHILD = fileURLToPath(new URL('./health-sampler-child.ts', import.meta.url));
const CLK_TCK = 100;
const seconds = process.env.BENCH_QUICK === '1' ? 15 : 60;

/** CPU seconds of a process: utime+stime and cutime+cstime (children it waited for) from
 * /proc/<pid>/stat. Its 10 ms ticks are coarse next to ~1 ms of work per second, so the process's
 * own time is taken from the nanosecond counters in /proc/<pid>/task/<tid>/schedstat when readable. */
function cpuSeconds(pid: number): { total: number; ticksOnly: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is the state (field 3 of stat(5)); utime is field 14 → index 11.
  const own = (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  const children = (Number(fields[13]) + Number(fields[14])) / CLK_TCK;
  let precise: number | null = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) precise += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e9;
  } catch {
    precise = null;
  }
  return { total: (precise ?? own) + children, ticksOnly: own + children };
}

function startChild(mode: string, nodeArgs: string[] = []): { pid: number; ready: Promise<string>; kill(): Promise<void> } {
  const child = spawn(process.execPath, [...nodeArgs, CHILD, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${mode} sampler did not start within 60 s`)), 60_000);
    child.stdout.on('data', (d: Buffer) => {
      out += String(d);
      if (out.includes('\n')) {
        clearTimeout(timer);
        resolve(out.trim());
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (!out.includes('\n')) reject(new Error(`${mode} sampler exited with ${code}`));
    });
  });
  return {
    pid: child.pid as number,
    ready,
    kill: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Percent of one core the sampler used over the window (after a 3 s warm-up). */
async function measure(mode: string): Promise<{ pct: number; ticksPct: number }> {
  const child = startChild(mode);
  try {
    await child.ready;
    const before = cpuSeconds(child.pid);
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const after = cpuSeconds(child.pid);
    return { pct: ((after.total - before.total) / seconds) * 100, ticksPct: ((after.ticksOnly - before.ticksOnly) / seconds) * 100 };
  } finally {
    await child.kill();
  }
}

export default async function healthBench(): Promise<Row[]> {
  // Sequential, so the three samplers never compete for the same cores.
  const native = await measure('native');
  const outpost = await measure('outpost');
  const si = await measure('systeminformation');
  const history = startChild('history', ['--expose-gc']);
  const h = JSON.parse(await history.ready) as { start: number; before: number; after: number; secondDay: number; bytes: number; fine: number; coarse: number };
  await history.kill();
  const pct = (v: number) => `${v.toFixed(3)} % of a core`;
  return [
    {
      name: `health sampler CPU at 1 Hz over ${seconds} s`,
      value: pct(outpost.pct),
      reference: `${pct(native.pct)} (minimal /proc reader)`,
      ratio: `${(outpost.pct / native.pct).toFixed(2)}×`,
      goal: '≤ 1.5×',
      note: `stat ticks only: ${outpost.ticksPct.toFixed(2)} % vs ${native.ticksPct.toFixed(2)} %`,
    },
    { name: 'systeminformation-only sampler CPU at 1 Hz', value: pct(si.pct), reference: `${pct(outpost.pct)} (outpost sampler)`, ratio: `${(si.pct / outpost.pct).toFixed(1)}× outpost`, note: 'includes the processes it spawns' },
    {
      name: 'history memory, full 24 h (8 series)',
      value: `${(h.bytes / 1024).toFixed(0)} KiB preallocated`,
      reference: `process RSS ${(h.after / 1048576).toFixed(1)} MiB with it full`,
      note: `RSS +${((h.before - h.start) / 1024).toFixed(0)} KiB at construction, +${((h.after - h.before) / 1024).toFixed(0)} KiB filling the first 24 h (${h.fine} s + ${h.coarse} min; V8 warm-up), +${((h.secondDay - h.after) / 1024).toFixed(0)} KiB over a second 24 h`,
    },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const row of await healthBench()) console.log(JSON.stringify(row));
}
