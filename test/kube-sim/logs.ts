// Deterministic container log lines (pure): a container instance that started at `start`
// writes line k at `start + k * interval`; the text depends only on pod, container, instance
// and k. A crashing instance ends with a fatal line.

export interface Instance {
  /** 0 for the first run, then restartCount at the time it started. */
  index: number;
  start: number;
  /** Set once the instance stopped. */
  end?: number;
  exitCode?: number;
  reason?: string;
  /** Stopped by the kubelet (pod deletion), not by itself. */
  killed?: boolean;
}

const FLAVOURS: Record<string, string[]> = {
  mqtt: [
    'client connected from 10.42.0.%n',
    'PUBLISH topic=plant/line%m/temp qos=1',
    'subscription added plant/#',
    'keepalive ok for %c clients',
    'retained messages: %n',
  ],
  db: [
    'checkpoint complete: wrote %n buffers',
    'autovacuum: processed table readings_%m',
    'connection received from 10.42.0.%m',
    'insert batch committed rows=%n',
    'WAL segment %n archived',
  ],
  ingest: [
    'read %n samples from modbus unit %m',
    'forwarded batch seq=%k to broker',
    'sensor line%m temperature=%t C',
    'buffer depth %n',
    'poll cycle finished in %m ms',
  ],
  agent: ['node heartbeat sent', 'disk usage /var/lib %m%', 'collected %n metrics', 'cpu load %t', 'scrape ok'],
  default: ['handled request id=%k', 'tick %k', 'work item %n done', 'cache hit ratio 0.%m', 'idle'],
};

function flavour(container: string, image: string): string[] {
  const s = `${container} ${image}`.toLowerCase();
  if (/mqtt|mosquitto|broker|emqx/.test(s)) return FLAVOURS.mqtt ?? [];
  if (/postgres|timescale|historian|influx|db/.test(s)) return FLAVOURS.db ?? [];
  if (/ingest|sensor|modbus|opcua/.test(s)) return FLAVOURS.ingest ?? [];
  if (/agent|exporter|node/.test(s)) return FLAVOURS.agent ?? [];
  return FLAVOURS.default ?? [];
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h;
}

export function lineText(pod: string, container: string, image: string, instance: number, k: number): string {
  const templates = flavour(container, image);
  const h = hash(`${pod}/${container}/${instance}/${k}`);
  const template = templates[h % templates.length] ?? 'tick %k';
  const text = template
    .replace('%n', String(h % 5000))
    .replace('%m', String((h >>> 8) % 100))
    .replace('%c', String((h >>> 4) % 40))
    .replace('%t', ((h % 400) / 10 + 10).toFixed(1))
    .replace('%k', String(k));
  const level = h % 23 === 0 ? 'warn' : 'info';
  return `level=${level} container=${container} instance=${instance} seq=${k} msg="${text}"`;
}

export interface LogLine {
  time: number;
  text: string;
}

/** Lines of one instance up to `until`, the last `maxLines` at most. */
export function instanceLines(pod: string, container: string, image: string, inst: Instance, until: number, intervalMs: number, maxLines: number): LogLine[] {
  const end = Math.min(until, inst.end ?? until);
  if (end < inst.start) return [];
  const count = Math.floor((end - inst.start) / intervalMs) + 1;
  const first = Math.max(0, count - maxLines);
  const out: LogLine[] = [];
  for (let k = first; k < count; k++) out.push({ time: inst.start + k * intervalMs, text: lineText(pod, container, image, inst.index, k) });
  if (inst.end !== undefined && inst.end <= until && inst.exitCode !== undefined) {
    const text =
      inst.reason === 'OOMKilled'
        ? `level=error container=${container} instance=${inst.index} msg="allocating ingest buffer failed: cannot allocate memory"`
        : inst.killed
          ? `level=info container=${container} instance=${inst.index} msg="received SIGTERM, shutting down"`
          : inst.exitCode === 0
            ? `level=info container=${container} instance=${inst.index} msg="work finished, exiting" code=0`
            : `level=fatal container=${container} instance=${inst.index} msg="unrecoverable error, exiting" code=${inst.exitCode}`;
    out.push({ time: inst.end, text });
    if (out.length > maxLines) out.shift();
  }
  return out;
}

/** RFC 3339 with nanoseconds, as the kubelet prefixes lines with `timestamps=true`. */
export function logStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

export function selectLines(lines: LogLine[], options: { tailLines: number | null; sinceSeconds: number | null; now: number }): LogLine[] {
  let out = lines;
  const since = options.sinceSeconds;
  if (since !== null) out = out.filter((l) => l.time >= options.now - since * 1000);
  if (options.tailLines !== null && options.tailLines >= 0) out = options.tailLines === 0 ? [] : out.slice(-options.tailLines);
  return out;
}
