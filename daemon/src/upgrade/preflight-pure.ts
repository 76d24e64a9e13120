// The device-level checks of preflight (pure): sequence and floor, expiry, architecture, the
// Kubernetes version range, the minimum Outpost version, disk space. Each returns its check for the
// plan and the problems it found.
import * as semver from 'semver';
import type { PlanCheck, PlanProblem, UpgradeKind } from '../protocol/upgrade.ts';

export interface VersionFacts {
  kind: UpgradeKind;
  sequence: number;
  installedSequence: number;
  floor: number;
  expires: string;
  now: number;
  newestCreatedSeen: number | null;
}

const problem = (code: string, message: string, blocking = true): PlanProblem => ({ code, message, object: null, blocking });

export function sequenceCheck(f: VersionFacts): { ok: boolean; problems: PlanProblem[] } {
  const problems: PlanProblem[] = [];
  if (f.kind !== 'rollback' && f.sequence <= f.installedSequence) {
    problems.push(problem('sequence_not_newer', `sequence ${f.sequence} is not newer than the installed ${f.installedSequence} (a downgrade is an admin rollback, never an offer)`));
  }
  if (f.sequence < f.floor) problems.push(problem('sequence_below_floor', `sequence ${f.sequence} is below the release's floor ${f.floor}`));
  return { ok: problems.length === 0, problems };
}

export function expiryCheck(f: VersionFacts): { ok: boolean; problems: PlanProblem[] } {
  const reference = Math.max(f.now, f.newestCreatedSeen ?? Number.NEGATIVE_INFINITY);
  const ok = Date.parse(f.expires) > reference;
  if (ok) return { ok, problems: [] };
  // An admin rolling back to a kept version may do so after it expired: the device verified it while it was valid.
  const blocking = f.kind !== 'rollback';
  return { ok, problems: [problem('bundle_expired', `the bundle expired at ${f.expires}${blocking ? '' : ' (allowed for an admin rollback to a version the device already ran)'}`, blocking)] };
}

export function architectureCheck(required: string, node: string | null): { check: PlanCheck; problems: PlanProblem[] } {
  const check = { ok: node !== null && node === required, required, actual: node };
  if (node === null) return { check, problems: [] };
  return { check, problems: check.ok ? [] : [problem('architecture_mismatch', `the bundle is for ${required}, the node is ${node}`)] };
}

/** `v1.32.5+k3s1` → `1.32.5` */
export function kubernetesVersionOf(gitVersion: string | null): string | null {
  if (!gitVersion) return null;
  return semver.coerce(gitVersion)?.version ?? null;
}

export function kubernetesCheck(range: string, gitVersion: string | null): { check: PlanCheck; problems: PlanProblem[] } {
  const version = kubernetesVersionOf(gitVersion);
  const ok = version !== null && semver.satisfies(version, range, { includePrerelease: true });
  const check = { ok, required: range, actual: gitVersion };
  if (version === null) return { check, problems: [] };
  return { check, problems: ok ? [] : [problem('kubernetes_version', `the bundle needs Kubernetes ${range}; the cluster runs ${gitVersion}`)] };
}

export function outpostCheck(required: string, running: string): { check: PlanCheck; problems: PlanProblem[] } {
  const ok = semver.valid(running) !== null && semver.gte(running, required);
  return { check: { ok, required: `>= ${required}`, actual: running }, problems: ok ? [] : [problem('outpost_too_old', `the bundle needs Outpost ${required} or newer; this is ${running}`)] };
}

/** Content store plus unpacked layers: a gzip layer unpacks to about twice its size. */
export const DISK_FACTOR = 3;

export interface DiskFacts {
  path: string;
  freeBytes: number;
  totalBytes: number;
}

export function diskCheck(archiveBytesToImport: number, disk: DiskFacts | null, reservePercent: number, path: string) {
  const neededBytes = archiveBytesToImport * DISK_FACTOR;
  if (!disk) {
    const problems = neededBytes > 0 ? [problem('disk_unknown', `cannot read the free space of ${path}; ${neededBytes} bytes are needed`, false)] : [];
    return { disk: { path, neededBytes, freeBytes: null, totalBytes: null, reserveBytes: null, ok: neededBytes === 0 }, problems };
  }
  const reserveBytes = Math.ceil((disk.totalBytes * reservePercent) / 100);
  const ok = disk.freeBytes - neededBytes >= reserveBytes;
  const mib = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;
  const problems = ok ? [] : [problem('disk_space', `the images need ${mib(neededBytes)} on ${disk.path}; ${mib(disk.freeBytes)} are free and ${mib(reserveBytes)} (${reservePercent} %) must stay free so the kubelet does not evict images`)];
  return { disk: { path: disk.path, neededBytes, freeBytes: disk.freeBytes, totalBytes: disk.totalBytes, reserveBytes, ok }, problems };
}
