// The minimal /proc reader, the CPU reference of the health and footprint benches: the same /proc
// files as the health sampler's fast tier each second, split into numbers, and the same medium-tier
// facts (mounts with statfs, link state, addresses, sensors) every 10 s. No history, no evaluation,
// no feed. Run on its own (`node minimal-proc-reader.ts`) it prints "ready" after a 3 s warm-up;
// it imports only node: modules so it runs on any Node 24 (the installed one in the footprint bench).
import { readdirSync, readFileSync } from 'node:fs';
import { statfs } from 'node:fs/promises';

export function startMinimalProcReader(): void {
  const read = (p: string) => {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      return '';
    }
  };
  const list = (p: string) => {
    try {
      return readdirSync(p);
    } catch {
      return [];
    }
  };
  let keep = 0;
  const fast = () => {
    for (const f of ['/proc/stat', '/proc/meminfo', '/proc/loadavg', '/proc/uptime', '/proc/diskstats', '/proc/net/dev']) {
      for (const line of read(f).split('\n')) keep += line.split(/\s+/).map(Number).length;
    }
  };
  const medium = async () => {
    for (const line of read('/proc/self/mountinfo').split('\n')) {
      const parts = line.split(' ');
      const dash = parts.indexOf('-');
      if (dash > 0 && (parts[dash + 2] ?? '').startsWith('/dev/')) keep += (await statfs(parts[4] ?? '/')).blocks;
    }
    for (const iface of list('/sys/class/net')) keep += read(`/sys/class/net/${iface}/operstate`).length + read(`/sys/class/net/${iface}/speed`).length;
    for (const f of ['/proc/net/if_inet6', '/proc/net/fib_trie', '/proc/net/route', '/proc/cpuinfo']) keep += read(f).split('\n').length;
    for (const chip of list('/sys/class/hwmon')) for (const f of list(`/sys/class/hwmon/${chip}`)) if (f.endsWith('_input')) keep += Number(read(`/sys/class/hwmon/${chip}/${f}`));
    for (const zone of list('/sys/class/thermal')) keep += Number(read(`/sys/class/thermal/${zone}/temp`));
  };
  fast();
  void medium();
  setInterval(fast, 1000);
  setInterval(() => void medium(), 10_000);
  // Keeps `keep` alive so the reads cannot be optimised away.
  (globalThis as { procReaderSink?: () => number }).procReaderSink = () => keep;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  startMinimalProcReader();
  setTimeout(() => process.stdout.write('ready\n'), 3000);
}
