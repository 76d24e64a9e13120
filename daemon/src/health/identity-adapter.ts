// Adapter for the slow tier (~60 s): identity through systeminformation (which starts processes,
// so never on the fast path) and the clock's NTP state through `timedatectl show`, each with a
// deadline. Anything that fails reads as unknown rather than failing the sample.
import { execFile } from 'node:child_process';
import os from 'node:os';
import type { ClockSample, IdentitySample } from '../protocol/health.ts';
import type { ProcReader } from './proc-reader.ts';

export type IdentityProbe = () => Promise<IdentitySample>;
export type ClockProbe = () => Promise<ClockSample>;

function withDeadline<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(fallback), ms);
    timer.unref();
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      () => {
        clearTimeout(timer);
        resolve(fallback);
      },
    );
  });
}

const usable = (v: string | undefined): string | null => {
  const s = v?.trim();
  if (!s || /^(default string|to be filled by o\.e\.m\.|not specified|system serial number|none|-)$/i.test(s)) return null;
  return s;
};

export function systeminformationIdentity(deadlineMs = 15_000): IdentityProbe {
  return async () => {
    const fallback: IdentitySample = { hostname: os.hostname(), os: `${os.type()} ${os.release()}`, kernel: os.release(), arch: os.arch(), model: null, serial: null };
    const si = await import('systeminformation');
    const [osInfo, system] = await Promise.all([withDeadline(si.osInfo(), deadlineMs, null), withDeadline(si.system(), deadlineMs, null)]);
    if (!osInfo) return fallback;
    const model = [usable(system?.manufacturer), usable(system?.model)].filter(Boolean).join(' ');
    return {
      hostname: osInfo.hostname || fallback.hostname,
      os: [osInfo.distro, osInfo.release].filter(Boolean).join(' ') || fallback.os,
      kernel: osInfo.kernel || fallback.kernel,
      arch: osInfo.arch || fallback.arch,
      model: model || null,
      serial: usable(system?.serial) ?? usable(osInfo.serial),
    };
  };
}

/**
 * Identity hardly ever changes, and systeminformation spawns a handful of processes per call. So the
 * slow tier asks it once, then only when the cheap fingerprint (hostname and kernel release, both
 * plain syscalls) changes, or after `maxAgeMs` (6 h) as a safety net.
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
