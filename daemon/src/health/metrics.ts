// /metrics: a prom-client registry per app (never the global one). Node values use node_exporter's
// names and labels where one exists (node-mixin's dashboards and alerts work unchanged); the rest
// are outpost_*. Values are read from the latest sample at scrape
// time, so scraping costs nothing between scrapes.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { HealthSample, HealthStatus, HistoryMemory } from '../protocol/health.ts';
import type { FastReading } from './compute.ts';
import { CPU_MODES } from './parse-proc.ts';

export interface MetricsSource {
  sample(): HealthSample | null;
  reading(): FastReading | null;
  status(): HealthStatus;
  transitions(): ReadonlyMap<HealthStatus, number>;
  history(): HistoryMemory;
  feedClients(): number;
  /** Per disk cumulative bytes come from the reading; this says which disks are reported. */
  reportedDisks(): readonly string[];
  /** uname as node_exporter labels it (machine null: unknown); null: fall back to the identity sample. */
  uname?(): (Omit<UnameInfo, 'machine'> & { machine: string | null }) | null;
}

/** Kernel USER_HZ: /proc/stat counts in 1/100 s on every Linux architecture we ship for. */
const USER_HZ = 100;

/** node_exporter's uname labels, read from /proc/sys/kernel where the node has them. */
export interface UnameInfo {
  sysname: string;
  release: string;
  version: string;
  machine: string;
  nodename: string;
  domainname: string;
}

/** /proc/meminfo fields node_exporter reports as node_memory_<field>_bytes (values in kB there). */
const MEMINFO_BYTES = [
  ...['MemTotal', 'MemFree', 'MemAvailable', 'Buffers', 'Cached', 'SwapCached', 'SwapTotal', 'SwapFree'],
  ...['Active', 'Inactive', 'Active(anon)', 'Inactive(anon)', 'Active(file)', 'Inactive(file)', 'Unevictable', 'Mlocked'],
  ...['Dirty', 'Writeback', 'AnonPages', 'Mapped', 'Shmem', 'KReclaimable', 'Slab', 'SReclaimable', 'SUnreclaim', 'KernelStack', 'PageTables'],
  ...['CommitLimit', 'Committed_AS', 'VmallocTotal', 'VmallocUsed', 'Percpu', 'HardwareCorrupted', 'AnonHugePages', 'Hugepagesize', 'Hugetlb'],
];
/** …and these as plain counts (no unit in /proc/meminfo). */
const MEMINFO_COUNTS = ['HugePages_Total', 'HugePages_Free', 'HugePages_Rsvd', 'HugePages_Surp'];

/** uname(2)'s machine for Node's `os.arch()` names (what the identity probe reports). */
export function unameMachine(arch: string): string {
  const map: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64', arm: 'armv7l', ia32: 'i686', ppc64: 'ppc64le', loong64: 'loongarch64' };
  return map[arch] ?? arch;
}

export function createHealthRegistry(source: MetricsSource, options: { defaultMetrics?: boolean; now?: () => number } = {}): Registry {
  const now = options.now ?? Date.now;
  const register = new Registry();
  if (options.defaultMetrics ?? true) {
    // The event-loop delay monitor samples at this interval; prom-client's default of 10 ms alone cost
    // three times the whole 1 Hz sampler (test/bench/health.bench.ts), 1 s keeps it near free.
    collectDefaultMetrics({ register, eventLoopMonitoringPrecision: 1000 });
    // prom-client exposes these sums as gauges named *_total, which the Prometheus linter rejects;
    // the per-type series nodejs_active_{handles,requests,resources} carry the same information.
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) register.removeSingleMetric(name);
  }
  const registers = [register];

  const gauge = (name: string, help: string, labelNames: string[], fill: (g: Gauge<string>, s: HealthSample) => void) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers,
      collect() {
        this.reset();
        const s = source.sample();
        if (s) fill(this, s);
      },
    });
  const counter = (name: string, help: string, labelNames: string[], fill: (c: Counter<string>, r: FastReading) => void) =>
    new Counter({
      name,
      help,
      labelNames,
      registers,
      collect() {
        this.reset();
        const r = source.reading();
        if (r) fill(this, r);
      },
    });

  counter('node_cpu_seconds_total', 'Seconds the CPUs spent in each mode.', ['cpu', 'mode'], (c, r) => {
    for (const core of r.stat.cores) for (const mode of CPU_MODES) c.inc({ cpu: core.cpu.slice(3), mode }, core.times[mode] / USER_HZ);
  });
  gauge('node_load1', '1m load average.', [], (g, s) => g.set(s.cpu.load[0]));
  gauge('node_load5', '5m load average.', [], (g, s) => g.set(s.cpu.load[1]));
  gauge('node_load15', '15m load average.', [], (g, s) => g.set(s.cpu.load[2]));
  gauge('outpost_cpu_busy_ratio', 'Share of CPU time busy over the last sample interval (0-1).', ['cpu'], (g, s) => {
    g.set({ cpu: 'all' }, s.cpu.totalPct / 100);
    s.cpu.perCorePct.forEach((p, i) => g.set({ cpu: String(i) }, p / 100));
  });
  gauge('node_cpu_scaling_frequency_hertz', 'Current scaled CPU frequency.', ['cpu'], (g, s) => s.cpu.freqMhz?.forEach((f, i) => g.set({ cpu: String(i) }, f * 1e6)));

  // node_exporter's own names (node_memory_MemAvailable_bytes…), so node-mixin's dashboards and alerts
  // work unchanged. They are camelCase, the one thing `promtool check metrics` complains about.
  for (const key of MEMINFO_BYTES) {
    const name = key.replace(/\((\w+)\)/, '_$1');
    gauge(`node_memory_${name}_bytes`, `Memory information field ${name}_bytes.`, [], (g) => {
      const v = source.reading()?.meminfo.get(key);
      if (v !== undefined) g.set(v);
    });
  }
  for (const key of MEMINFO_COUNTS) {
    gauge(`node_memory_${key}`, `Memory information field ${key}.`, [], (g) => {
      const v = source.reading()?.meminfo.get(key);
      if (v !== undefined) g.set(v);
    });
  }

  const fsLabels = ['device', 'fstype', 'mountpoint'];
  const fsGauge = (name: string, help: string, pick: (f: HealthSample['filesystems'][number]) => number) =>
    gauge(name, help, fsLabels, (g, s) => s.filesystems.forEach((f) => g.set({ device: f.device, fstype: f.fstype, mountpoint: f.mount }, pick(f))));
  fsGauge('node_filesystem_size_bytes', 'Filesystem size in bytes.', (f) => f.sizeBytes);
  fsGauge('node_filesystem_avail_bytes', 'Filesystem space available to non-root users in bytes.', (f) => f.availBytes);
  fsGauge('node_filesystem_free_bytes', 'Filesystem free space in bytes.', (f) => f.sizeBytes - f.usedBytes);
  fsGauge('node_filesystem_files', 'Filesystem total file nodes.', (f) => f.inodesTotal);
  fsGauge('node_filesystem_files_free', 'Filesystem total free file nodes.', (f) => f.inodesFree);
  fsGauge('node_filesystem_readonly', 'Filesystem read-only status.', (f) => (f.readOnly ? 1 : 0));

  counter('node_disk_read_bytes_total', 'The total number of bytes read successfully.', ['device'], (c, r) => {
    const disks = new Set(source.reportedDisks());
    for (const d of r.disks) if (disks.has(d.name)) c.inc({ device: d.name }, d.readBytes);
  });
  counter('node_disk_written_bytes_total', 'The total number of bytes written successfully.', ['device'], (c, r) => {
    const disks = new Set(source.reportedDisks());
    for (const d of r.disks) if (disks.has(d.name)) c.inc({ device: d.name }, d.writtenBytes);
  });
  counter('node_disk_io_time_seconds_total', 'Total seconds spent doing I/Os.', ['device'], (c, r) => {
    const disks = new Set(source.reportedDisks());
    for (const d of r.disks) if (disks.has(d.name)) c.inc({ device: d.name }, d.ioTimeMs / 1000);
  });

  const net = (name: string, help: string, pick: (n: FastReading['net'][number]) => number) =>
    counter(name, help, ['device'], (c, r) => r.net.forEach((n) => c.inc({ device: n.name }, pick(n))));
  net('node_network_receive_bytes_total', 'Network device statistic receive_bytes.', (n) => n.rxBytes);
  net('node_network_transmit_bytes_total', 'Network device statistic transmit_bytes.', (n) => n.txBytes);
  net('node_network_receive_packets_total', 'Network device statistic receive_packets.', (n) => n.rxPackets);
  net('node_network_transmit_packets_total', 'Network device statistic transmit_packets.', (n) => n.txPackets);
  net('node_network_receive_errs_total', 'Network device statistic receive_errs.', (n) => n.rxErrors);
  net('node_network_transmit_errs_total', 'Network device statistic transmit_errs.', (n) => n.txErrors);
  net('node_network_receive_drop_total', 'Network device statistic receive_drop.', (n) => n.rxDropped);
  net('node_network_transmit_drop_total', 'Network device statistic transmit_drop.', (n) => n.txDropped);
  gauge('node_network_up', 'Value is 1 if operstate is up, 0 otherwise.', ['device'], (g, s) => s.interfaces.forEach((i) => g.set({ device: i.name }, i.state === 'up' ? 1 : 0)));
  gauge('node_network_speed_bytes', 'Link speed in bytes per second.', ['device'], (g, s) => s.interfaces.forEach((i) => i.speedMbps !== null && g.set({ device: i.name }, (i.speedMbps * 1e6) / 8)));

  gauge('outpost_temperature_celsius', 'Temperature of each sensor (hwmon or thermal zone).', ['sensor', 'label'], (g, s) => s.sensors.forEach((t) => g.set({ sensor: t.id, label: t.label }, t.celsius)));
  gauge('outpost_temperature_critical_celsius', 'Critical temperature of each sensor that reports one.', ['sensor', 'label'], (g, s) =>
    s.sensors.forEach((t) => t.criticalC !== null && g.set({ sensor: t.id, label: t.label }, t.criticalC)),
  );
  gauge('node_hwmon_temp_celsius', 'Hardware monitor for temperature (input).', ['chip', 'sensor'], (g, s) =>
    s.sensors.forEach((t) => {
      const m = /^hwmon:(.+)\/(temp\d+)$/.exec(t.id);
      if (m) g.set({ chip: m[1] as string, sensor: m[2] as string }, t.celsius);
    }),
  );
  gauge('node_thermal_zone_temp', 'Zone temperature in Celsius.', ['zone', 'type'], (g, s) =>
    s.sensors.forEach((t) => {
      const m = /^thermal:thermal_zone(\d+)$/.exec(t.id);
      if (m) g.set({ zone: m[1] as string, type: t.label.replace(/ \(zone \d+\)$/, '') }, t.celsius);
    }),
  );

  gauge('node_boot_time_seconds', 'Node boot time, in unixtime.', [], (g, s) => g.set(Math.round(s.bootTime / 1000)));
  // The scrape's own time, as node_exporter reports it (not the time of the last sample).
  new Gauge({
    name: 'node_time_seconds',
    help: 'System time in seconds since epoch (1970).',
    registers,
    collect() {
      this.set(now() / 1000);
    },
  });
  gauge('node_timex_sync_status', 'Is clock synchronized to a reliable server (1 = yes, 0 = no).', [], (g, s) => s.clock.synchronised !== null && g.set(s.clock.synchronised ? 1 : 0));
  const unameLabels = ['sysname', 'release', 'version', 'machine', 'nodename', 'domainname'];
  gauge('node_uname_info', 'Labeled system information as provided by the uname system call.', unameLabels, (g, s) => {
    const u = source.uname?.() ?? null;
    const machine = s.identity ? unameMachine(s.identity.arch) : '';
    if (u) g.set({ ...u, machine: u.machine ?? machine }, 1);
    else if (s.identity) g.set({ sysname: 'Linux', release: s.identity.kernel, version: '', machine, nodename: s.identity.hostname, domainname: '(none)' }, 1);
  });

  new Gauge({
    name: 'outpost_health_status',
    help: 'Current node health verdict: 1 for the active status.',
    labelNames: ['status'],
    registers,
    collect() {
      const current = source.status();
      for (const st of ['ok', 'warning', 'critical'] as const) this.set({ status: st }, st === current ? 1 : 0);
    },
  });
  new Counter({
    name: 'outpost_health_transitions_total',
    help: 'Health status changes since the daemon started, by the status entered.',
    labelNames: ['to'],
    registers,
    collect() {
      this.reset();
      for (const [to, n] of source.transitions()) this.inc({ to }, n);
    },
  });
  new Gauge({
    name: 'outpost_health_history_bytes',
    help: 'Bytes preallocated for the health history ring buffers.',
    registers,
    collect() {
      this.set(source.history().bytes);
    },
  });
  new Gauge({
    name: 'outpost_feed_clients',
    help: 'Live feed (WebSocket) clients connected.',
    registers,
    collect() {
      this.set(source.feedClients());
    },
  });
  return register;
}
