// Shared measuring tools for benches: process CPU and memory from /proc, percentiles, waiting.
import { readdirSync, readFileSync } from 'node:fs';

export interface BenchRow {
  name: string;
  value: string;
  reference?: string;
  ratio?: string;
  goal?: string;
  note?: string;
}

export const QUICK = process.env.BENCH_QUICK === '1';
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used so far, children excluded. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** Resident and peak resident memory of a process, in bytes. */
export function memory(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function ratio(value: number, reference: number): string {
  return reference > 0 ? `${(value / reference).toFixed(2)}×` : 'n/a';
}

/**
 * CPU seconds of a process with its threads, from the nanosecond counters in
 * /proc/<pid>/task/<tid>/schedstat (the 10 ms ticks of /proc/<pid>/stat are too coarse for an idle
 * process); falls back to the ticks when schedstat is not readable. Children excluded.
 */
export function preciseCpuSeconds(pid: number): number {
  const threads = cpuSecondsByThread(pid);
  return threads.size > 0 ? [...threads.values()].reduce((a, b) => a + b, 0) : cpuSeconds(pid);
}

/** CPU seconds per thread: `main` for the process's own thread, the others by their `comm` (V8Worker, libuv-worker, …), summed per name. */
export function cpuSecondsByThread(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const comm = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
        const name = tid === String(pid) ? 'main' : comm;
        byName.set(name, (byName.get(name) ?? 0) + Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e9);
      } catch {
        // the thread ended between readdir and read
      }
    }
  } catch {
    // the process is gone
  }
  return byName;
}

export function median(values: number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}
