// Adapter: reads the /proc and /sys files the parsers need, under a root directory so tests can
// point it at a recorded tree (test/fixtures/proc/<machine>/). Never starts a process. A file
// that is missing or unreadable reads as null: machines differ, and the sample goes on.
import { readFileSync, readdirSync } from 'node:fs';
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

export class ProcReader {
  readonly root: string;

  constructor(root = '/') {
    this.root = root;
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
    return {
      stat: this.read('proc/stat'),
      meminfo: this.read('proc/meminfo'),
      loadavg: this.read('proc/loadavg'),
      uptime: this.read('proc/uptime'),
      diskstats: this.read('proc/diskstats'),
      netdev: this.read('proc/net/dev'),
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
}
