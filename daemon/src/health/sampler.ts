// Adapter: runs the three sampling tiers on timers and turns readings into samples.
//   fast (1 s):    /proc/stat, meminfo, loadavg, uptime, diskstats, net/dev — synchronous reads, no process.
//   medium (10 s): link state and speed, addresses, mounts and statfs, sensors, CPU frequency.
//   slow (60 s):   identity (files and uname, no process) and the clock's NTP state.
// Invariant: at most one medium and one slow pass run at a time; a pass that overruns is skipped.
import type { ClockSample, FilesystemSample, HealthSample, HealthSampleV1, IdentitySample, SensorSample } from '../protocol/health.ts';
import { computeCpu, computeDisks, computeInterfaces, computeMemory, parseFast, seriesPoint, type FastReading, type LinkInfo } from './compute.ts';
import { parseMountinfo } from '../lib/mountinfo.ts';
import { realFilesystems } from './parse-mounts.ts';
import { addressesByInterface, ipv4Addresses, parseIfInet6 } from './parse-net.ts';
import { parseCpuinfoMhz } from './parse-proc.ts';
import { collectSensors } from './parse-sensors.ts';
import type { ProcReader, StatfsFn, StatfsResult } from './proc-reader.ts';
import type { ClockProbe, IdentityProbe } from './identity-adapter.ts';

export interface Tiers {
  fastMs: number;
  mediumMs: number;
  slowMs: number;
}

export interface SamplerOptions {
  reader: ProcReader;
  statfs: StatfsFn;
  identity: IdentityProbe;
  clock: ClockProbe;
  tiers: Tiers;
  statfsDeadlineMs?: number;
  onSample(event: HealthSampleV1, sample: HealthSample, reading: FastReading): void;
  onError?(tier: string, error: unknown): void;
  now?: () => number;
  mono?: () => number;
}

const UNKNOWN_CLOCK: ClockSample = { synchronised: null, source: 'unknown', timezone: 'UTC', offsetMs: null };

function timeout<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), ms);
    timer.unref();
    promise.then(
      (v) => (clearTimeout(timer), resolve(v)),
      () => (clearTimeout(timer), resolve(null)),
    );
  });
}

export class HealthSampler {
  private readonly options: SamplerOptions;
  private readonly now: () => number;
  private readonly mono: () => number;
  private prev: FastReading | null = null;
  private timers: NodeJS.Timeout[] = [];
  private mediumRunning = false;
  private slowRunning = false;
  private blockDevices = new Set<string>();
  private links = new Map<string, LinkInfo>();
  private addresses = new Map<string, string[]>();
  private freqMhz: number[] | null = null;
  private filesystems: FilesystemSample[] = [];
  private sensors: SensorSample[] = [];
  private clock: ClockSample = UNKNOWN_CLOCK;
  private identity: IdentitySample | null = null;
  /** Parts changed since the last published event. */
  private changed = { filesystems: true, sensors: true, clock: true, identity: false };
  /** Last texts parsed, so an unchanged routing table or mount table is not parsed again. */
  private addressText = '';
  private mountText = '';
  private mounts: ReturnType<typeof realFilesystems> = [];
  private readonly pendingStatfs = new Set<string>();
  private lastStatfs = new Map<string, StatfsResult>();
  latest: HealthSample | null = null;
  latestReading: FastReading | null = null;
  fastTicks = 0;

  constructor(options: SamplerOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
    this.mono = options.mono ?? (() => performance.now());
  }

  /** Starts the tiers; the first medium and slow passes run at once. */
  start(): void {
    this.readMediumSync();
    this.prev = this.readFast();
    void this.tickMedium();
    void this.tickSlow();
    const { fastMs, mediumMs, slowMs } = this.options.tiers;
    this.timers.push(setInterval(() => this.tickFast(), fastMs), setInterval(() => void this.tickMedium(), mediumMs), setInterval(() => void this.tickSlow(), slowMs));
    for (const t of this.timers) t.unref();
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  private readFast(): FastReading {
    return parseFast(this.options.reader.readFast(), this.mono(), this.now());
  }

  /** One fast pass: read, compute, hand the sample on. Synchronous and process-free. */
  tickFast(): HealthSample {
    const cur = this.readFast();
    const prev = this.prev;
    this.prev = cur;
    const bootS = cur.stat.bootTime;
    const sample: HealthSample = {
      time: cur.time,
      uptimeS: Math.floor(cur.uptimeS),
      bootTime: bootS !== null ? bootS * 1000 : Math.round(cur.time - cur.uptimeS * 1000),
      cpu: computeCpu(prev, cur, this.freqMhz),
      memory: computeMemory(cur.meminfo),
      disks: computeDisks(prev, cur, this.blockDevices),
      interfaces: computeInterfaces(prev, cur, this.links, this.addresses),
      filesystems: this.filesystems,
      sensors: this.sensors,
      clock: this.clock,
      identity: this.identity,
    };
    const event: HealthSampleV1 = {
      kind: 'health.sample.v1',
      time: sample.time,
      uptimeS: sample.uptimeS,
      bootTime: sample.bootTime,
      cpu: sample.cpu,
      memory: sample.memory,
      disks: sample.disks,
      interfaces: sample.interfaces,
      point: seriesPoint(sample),
    };
    if (this.changed.filesystems) event.filesystems = sample.filesystems;
    if (this.changed.sensors) event.sensors = sample.sensors;
    if (this.changed.clock) event.clock = sample.clock;
    if (this.changed.identity && sample.identity) event.identity = sample.identity;
    this.changed = { filesystems: false, sensors: false, clock: false, identity: false };
    this.latest = sample;
    this.latestReading = cur;
    this.fastTicks += 1;
    this.options.onSample(event, sample, cur);
    return sample;
  }

  /** The synchronous part of the medium tier (links, addresses, sensors, frequency). */
  private readMediumSync(): void {
    const reader = this.options.reader;
    this.blockDevices = reader.blockDevices();
    const links = new Map<string, LinkInfo>();
    for (const name of reader.list('sys/class/net')) links.set(name, reader.interfaceLink(name));
    this.links = links;
    const files = reader.addressFiles();
    const addressText = `${files.fibTrie}\0${files.route}\0${files.ifInet6}`;
    if (addressText !== this.addressText) {
      this.addressText = addressText;
      this.addresses = addressesByInterface([...ipv4Addresses(files.fibTrie ?? '', files.route ?? ''), ...parseIfInet6(files.ifInet6 ?? '')]);
    }
    const freq = reader.cpufreqMhz() ?? parseCpuinfoMhz(reader.read('proc/cpuinfo') ?? '');
    this.freqMhz = freq.length > 0 ? freq : null;
    const sensors = collectSensors(reader.hwmonChips(), reader.thermalZones());
    if (JSON.stringify(sensors) !== JSON.stringify(this.sensors)) {
      this.sensors = sensors;
      this.changed.sensors = true;
    }
  }

  async tickMedium(): Promise<void> {
    if (this.mediumRunning) return;
    this.mediumRunning = true;
    try {
      this.readMediumSync();
      const mountText = this.options.reader.mountinfo() ?? '';
      if (mountText !== this.mountText) {
        this.mountText = mountText;
        this.mounts = realFilesystems(parseMountinfo(mountText));
      }
      const mounts = this.mounts;
      const deadline = this.options.statfsDeadlineMs ?? 2000;
      const results = await Promise.all(
        mounts.map(async (m) => {
          // A hung network filesystem must not pile up statfs calls: one in flight per mount.
          if (this.pendingStatfs.has(m.mount)) return this.lastStatfs.get(m.mount) ?? null;
          this.pendingStatfs.add(m.mount);
          const call = this.options.statfs(m.mount).finally(() => this.pendingStatfs.delete(m.mount));
          const r = await timeout(call, deadline);
          if (r) this.lastStatfs.set(m.mount, r);
          return r ?? this.lastStatfs.get(m.mount) ?? null;
        }),
      );
      const filesystems: FilesystemSample[] = [];
      mounts.forEach((m, i) => {
        const s = results[i];
        if (!s || s.sizeBytes <= 0) return;
        const used = s.sizeBytes - s.freeBytes;
        // Like df: used / (used + available), so reserved blocks count as not available.
        const usedPct = used + s.availBytes > 0 ? Math.round((used / (used + s.availBytes)) * 1000) / 10 : 0;
        filesystems.push({ mount: m.mount, device: m.device, fstype: m.fstype, sizeBytes: s.sizeBytes, availBytes: s.availBytes, usedBytes: used, usedPct, inodesTotal: s.inodesTotal, inodesFree: s.inodesFree, readOnly: m.readOnly });
      });
      if (JSON.stringify(filesystems) !== JSON.stringify(this.filesystems)) {
        this.filesystems = filesystems;
        this.changed.filesystems = true;
      }
    } catch (error) {
      this.options.onError?.('medium', error);
    } finally {
      this.mediumRunning = false;
    }
  }

  async tickSlow(): Promise<void> {
    if (this.slowRunning) return;
    this.slowRunning = true;
    try {
      const [identity, clock] = await Promise.all([this.options.identity(), this.options.clock()]);
      if (JSON.stringify(identity) !== JSON.stringify(this.identity)) {
        this.identity = identity;
        this.changed.identity = true;
      }
      if (JSON.stringify(clock) !== JSON.stringify(this.clock)) {
        this.clock = clock;
        this.changed.clock = true;
      }
    } catch (error) {
      this.options.onError?.('slow', error);
    } finally {
      this.slowRunning = false;
    }
  }
}
