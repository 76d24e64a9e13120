// Adapter: reads the /proc and /sys files the parsers need, under a root directory so tests can
// point it at a recorded tree (test/fixtures/proc/<machine>/). Never starts a process. A file
// that is missing or unreadable reads as null: machines differ, and the sample goes on.
import { closeSync, openSync, readFileSync, readSync, readdirSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import path from 'node:path';
import type { HwmonChipFiles, ThermalZoneFiles } from './parse-sensors.ts';

export interface StatfsResult {
  sizeBytes: number;
  freeBytes: number;
  availBytes: number;
  inodesTotal: number;
  inodesFree: number;
}

export type StatfsFn = (mount: string) => Promise<StatfsResult>;

export async function realStatfs(mount: string): Promise<StatfsResult> {
  const s = await statfs(mount);
  return { sizeBytes: s.blocks * s.bsize, freeBytes: s.bfree * s.bsize, availBytes: s.bavail * s.bsize, inodesTotal: s.files, inodesFree: s.ffree };
}

type FastFile = 'proc/stat' | 'proc/meminfo' | 'proc/loadavg' | 'proc/uptime' | 'proc/diskstats' | 'proc/net/dev';

export class ProcReader {
  readonly root: string;
  /** Keep the fast-tier files open and re-read them from offset 0 (only for the live /proc: a
   * file replaced by rename, as tests do in fixture trees, would go stale behind an open fd). */
  private readonly keepOpen: boolean;
  private readonly fds = new Map<string, number>();
  private buffer = Buffer.allocUnsafe(64 * 1024);

  constructor(root = '/', options: { keepOpen?: boolean } = {}) {
    this.root = root;
    this.keepOpen = options.keepOpen ?? root === '/';
  }

  /** Closes the files kept open for the fast tier. */
  close(): void {
    for (const fd of this.fds.values()) {
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
    }
    this.fds.clear();
  }

  /** One pread from offset 0 of a kept-open file: /proc regenerates the text on every read. */
  private readKept(relative: string): string | null {
    let fd = this.fds.get(relative);
    try {
      if (fd === undefined) {
        fd = openSync(path.join(this.root, relative), 'r');
        this.fds.set(relative, fd);
      }
      for (;;) {
        const n = readSync(fd, this.buffer, 0, this.buffer.length, 0);
        if (n < this.buffer.length) return this.buffer.toString('latin1', 0, n);
        // Bounded: /proc/stat of a very large machine can pass 64 KiB, nothing here passes 4 MiB.
        if (this.buffer.length >= 4 << 20) return this.buffer.toString('latin1', 0, n);
        this.buffer = Buffer.allocUnsafe(this.buffer.length * 2);
      }
    } catch {
      if (fd !== undefined) {
        this.fds.delete(relative);
        try {
          closeSync(fd);
        } catch {
          // ignore
        }
      }
      return null;
    }
  }

  /** Contents of a file under the root, or null. */
  read(relative: string): string | null {
    try {
      return readFileSync(path.join(this.root, relative), 'utf8');
    } catch {
      return null;
    }
  }

  list(relative: string): string[] {
    try {
      return readdirSync(path.join(this.root, relative)).sort();
    } catch {
      return [];
    }
  }

  /** Fast tier: the handful of /proc files read every second. */
  readFast(): { stat: string | null; meminfo: string | null; loadavg: string | null; uptime: string | null; diskstats: string | null; netdev: string | null } {
    const get = (f: FastFile) => (this.keepOpen ? this.readKept(f) : this.read(f));
    return {
      stat: get('proc/stat'),
      meminfo: get('proc/meminfo'),
      loadavg: get('proc/loadavg'),
      uptime: get('proc/uptime'),
      diskstats: get('proc/diskstats'),
      netdev: get('proc/net/dev'),
    };
  }

  blockDevices(): Set<string> {
    return new Set(this.list('sys/block'));
  }

  /** operstate, speed and type of one interface from /sys/class/net. */
  interfaceLink(name: string): { state: string; speedMbps: number | null; loopback: boolean } {
    const base = `sys/class/net/${name}`;
    const state = this.read(`${base}/operstate`)?.trim() || 'unknown';
    const speed = Number(this.read(`${base}/speed`)?.trim());
    const type = this.read(`${base}/type`)?.trim();
    return { state, speedMbps: Number.isFinite(speed) && speed > 0 ? speed : null, loopback: type === '772' || name === 'lo' };
  }

  addressFiles(): { ifInet6: string | null; fibTrie: string | null; route: string | null } {
    return { ifInet6: this.read('proc/net/if_inet6'), fibTrie: this.read('proc/net/fib_trie'), route: this.read('proc/net/route') };
  }

  mountinfo(): string | null {
    return this.read('proc/self/mountinfo') ?? this.read('proc/1/mountinfo');
  }

  /** Per-core frequency in MHz from cpufreq, else null. */
  cpufreqMhz(): number[] | null {
    const cpus = this.list('sys/devices/system/cpu').filter((d) => /^cpu\d+$/.test(d));
    cpus.sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)));
    const out: number[] = [];
    for (const cpu of cpus) {
      const khz = Number(this.read(`sys/devices/system/cpu/${cpu}/cpufreq/scaling_cur_freq`)?.trim());
      if (!Number.isFinite(khz) || khz <= 0) return null;
      out.push(Math.round(khz / 1000));
    }
    return out.length > 0 ? out : null;
  }

  hwmonChips(): HwmonChipFiles[] {
    return this.list('sys/class/hwmon').map((dir) => {
      const base = `sys/class/hwmon/${dir}`;
      const files: Record<string, string> = {};
      for (const f of this.list(base)) {
        if (!/^temp\d+_(input|label|max|crit)$/.test(f)) continue;
        const text = this.read(`${base}/${f}`);
        if (text !== null) files[f] = text;
      }
      return { dir, name: this.read(`${base}/name`)?.trim() ?? null, files };
    });
  }

  thermalZones(): ThermalZoneFiles[] {
    return this.list('sys/class/thermal')
      .filter((d) => d.startsWith('thermal_zone'))
      .map((dir) => {
        const base = `sys/class/thermal/${dir}`;
        const trips: Record<string, string> = {};
        for (const f of this.list(base)) {
          if (!/^trip_point_\d+_(type|temp)$/.test(f)) continue;
          const text = this.read(`${base}/${f}`);
          if (text !== null) trips[f] = text;
        }
        return { dir, type: this.read(`${base}/type`), temp: this.read(`${base}/temp`), trips };
      });
  }

  /** Evidence that NTP synchronised the clock, without starting a process. */
  timesyncEvidence(): boolean | null {
    // systemd-timesyncd creates this file once it synchronised; absent only means "not by timesyncd".
    if (this.read('run/systemd/timesync/synchronized') !== null) return true;
    return null;
  }

  timezone(): string | null {
    return this.read('etc/timezone')?.trim() || null;
  }

  /** uname(2)'s fields from /proc/sys/kernel (`arch` exists on kernels since 6.1), or null without them. */
  uname(): { sysname: string; release: string; version: string; machine: string | null; nodename: string; domainname: string } | null {
    const get = (name: string) => this.read(`proc/sys/kernel/${name}`)?.trim() ?? null;
    const sysname = get('ostype');
    const release = get('osrelease');
    if (!sysname || !release) return null;
    const machine = get('arch') || null;
    return { sysname, release, version: get('version') ?? '', machine, nodename: get('hostname') ?? '', domainname: get('domainname') ?? '(none)' };
  }
}
