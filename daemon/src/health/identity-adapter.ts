// Adapter for the slow tier (~60 s): identity from files and syscalls only, and the clock's NTP
// state through `timedatectl show`, each with a deadline. Anything that fails reads as unknown
// rather than failing the sample.
// Identity never starts a process and never resolves a name: `hostname -f` (what systeminformation
// ran, synchronously) asks DNS, which on an air-gapped box blocks the event loop until it times out.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ClockSample, IdentitySample } from '../protocol/health.ts';
import { identityFromFiles, type IdentityFiles } from './parse-identity.ts';
import type { ProcReader } from './proc-reader.ts';

export type IdentityProbe = () => Promise<IdentitySample>;
export type ClockProbe = () => Promise<ClockSample>;

/** Where each identity fact is read, relative to the root (`/` on a device, a fixture tree in tests). */
const IDENTITY_FILES: Record<keyof Omit<IdentityFiles, 'hostname' | 'kernel' | 'arch' | 'osType'>, string[]> = {
  osRelease: ['etc/os-release', 'usr/lib/os-release'],
  dmiVendor: ['sys/class/dmi/id/sys_vendor'],
  dmiProduct: ['sys/class/dmi/id/product_name'],
  dmiBoardVendor: ['sys/class/dmi/id/board_vendor'],
  dmiBoardName: ['sys/class/dmi/id/board_name'],
  // Readable by root only on most firmware: the unprivileged web process usually gets null here.
  dmiSerial: ['sys/class/dmi/id/product_serial'],
  deviceTreeModel: ['sys/firmware/devicetree/base/model', 'proc/device-tree/model'],
  deviceTreeSerial: ['sys/firmware/devicetree/base/serial-number', 'proc/device-tree/serial-number'],
  machineId: ['etc/machine-id'],
};

/** First readable file of `candidates` (at most 64 KiB), or null. Reads go through libuv's thread pool. */
async function readFirst(root: string, candidates: string[], signal: AbortSignal): Promise<string | null> {
  for (const candidate of candidates) {
    try {
      const text = await readFile(path.join(root, candidate), { encoding: 'utf8', signal });
      return text.length > 65_536 ? text.slice(0, 65_536) : text;
    } catch (error) {
      if (signal.aborted) return null;
      const code = (error as NodeJS.ErrnoException).code;
      // Absent or unreadable (root-only DMI serial): try the next source. Anything else is news.
      if (code !== 'ENOENT' && code !== 'EACCES' && code !== 'EPERM' && code !== 'ENOTDIR' && code !== 'ENXIO' && code !== 'EINVAL') throw error;
    }
  }
  return null;
}

/**
 * Identity from `/etc/os-release`, `/sys/class/dmi/id`, the device tree (ARM boards),
 * `/etc/machine-id` and uname (`os.hostname()`, `os.release()`): no process, no name lookup.
 */
export function fileIdentity(options: { root?: string; deadlineMs?: number } = {}): IdentityProbe {
  const root = options.root ?? '/';
  return async () => {
    const signal = AbortSignal.timeout(options.deadlineMs ?? 5000);
    const entries = await Promise.all(Object.entries(IDENTITY_FILES).map(async ([key, files]) => [key, await readFirst(root, files, signal)] as const));
    const uname = { hostname: os.hostname(), kernel: os.release(), arch: os.arch(), osType: os.type() };
    return identityFromFiles({ ...Object.fromEntries(entries), ...uname } as IdentityFiles);
  };
}

/**
 * Identity hardly ever changes, so the slow tier reads its nine files once, then only when the cheap
 * fingerprint (hostname and kernel release, both plain syscalls) changes, or after `maxAgeMs` (6 h)
 * as a safety net.
 */
export function cachedIdentity(probe: IdentityProbe, options: { maxAgeMs?: number; fingerprint?: () => string; now?: () => number } = {}): IdentityProbe {
  const fingerprint = options.fingerprint ?? (() => `${os.hostname()}|${os.release()}`);
  const now = options.now ?? Date.now;
  const maxAge = options.maxAgeMs ?? 6 * 3600_000;
  let cached: { identity: IdentitySample; fingerprint: string; at: number } | null = null;
  return async () => {
    const current = fingerprint();
    if (cached && cached.fingerprint === current && now() - cached.at < maxAge) return cached.identity;
    const identity = await probe();
    cached = { identity, fingerprint: current, at: now() };
    return identity;
  };
}

/** Parses `timedatectl show` key=value output. */
export function parseTimedatectlShow(text: string): { synchronised: boolean | null; timezone: string | null } {
  let synchronised: boolean | null = null;
  let timezone: string | null = null;
  for (const line of text.split('\n')) {
    const [key, value] = line.split('=', 2) as [string, string | undefined];
    if (key === 'NTPSynchronized') synchronised = value === 'yes' ? true : value === 'no' ? false : null;
    if (key === 'Timezone' && value) timezone = value.trim();
  }
  return { synchronised, timezone };
}

function runTimedatectl(deadlineMs: number): Promise<{ out: string | null; missing: boolean }> {
  return new Promise((resolve) => {
    execFile('timedatectl', ['show'], { timeout: deadlineMs, maxBuffer: 64 * 1024 }, (error, stdout) =>
      resolve({ out: error ? null : stdout, missing: (error as NodeJS.ErrnoException | null)?.code === 'ENOENT' }),
    );
  });
}

export function systemClock(reader: ProcReader, options: { useTimedatectl?: boolean; deadlineMs?: number } = {}): ClockProbe {
  // A machine without timedatectl will not grow one: stop trying after the first ENOENT. One that
  // fails (no systemd as PID 1, no D-Bus) is asked again only every tenth pass.
  let useTimedatectl = options.useTimedatectl ?? true;
  let skip = 0;
  return async () => {
    const zone = reader.timezone() ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC';
    const file = reader.timesyncEvidence();
    if (file !== null) return { synchronised: file, source: 'systemd-timesyncd', timezone: zone, offsetMs: null };
    if (useTimedatectl && skip > 0) skip -= 1;
    else if (useTimedatectl) {
      const { out, missing } = await runTimedatectl(options.deadlineMs ?? 5000);
      if (missing) useTimedatectl = false;
      if (out === null) skip = 9;
      if (out) {
        const parsed = parseTimedatectlShow(out);
        return { synchronised: parsed.synchronised, source: 'timedatectl', timezone: parsed.timezone ?? zone, offsetMs: null };
      }
    }
    return { synchronised: null, source: 'unknown', timezone: zone, offsetMs: null };
  };
}
