// USB sticks for real: vfat, exfat and ext4 images on loop devices, `outpost usb attach` run on them
// exactly as outpost-usb@.service does, against the real daemon (kube-sim and containerd for the
// applies). Auto apply with the result written back (and a support bundle asked for), two bundles of
// one release (the highest sequence wins), bad bundles, confirm, off, a stick pulled mid-verify, a
// full stick, a stick without a usable filesystem. Skipped, saying why, where loop devices are not usable.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StickState } from '../../daemon/src/protocol/index.ts';
import { writeBigBundle } from '../bench/big-bundle.ts';
import { KEY_A } from '../fixtures/bundle-forge/test-keys.ts';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { buildAppBundle, deploymentYaml, writeTrustFolder } from '../helpers/upgrade-bundles.ts';
import { startUpgradeEnv, type UpgradeEnv } from '../helpers/upgrade-env.ts';
import { fsOr, kernelHas, loopDevicesUsable, makeStick, runUsb, type Stick } from '../helpers/usb-sticks.ts';

const why = await loopDevicesUsable();
if (why) console.warn(`USB stick tests skipped: ${why} (they need root and loop devices, as CI has)`);

const NS = 'ns-usb';
let dir: string;
let mountRoot: string;
const sticks: Stick[] = [];
const stick = async (...args: Parameters<typeof makeStick>) => {
  const s = await makeStick(...args);
  sticks.push(s);
  return s;
};
const manifests = (image: string, version: string) => ({ 'a.yaml': `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${NS}}\n---\n${deploymentYaml(NS, 'web', image, { env: { V: version } })}` });
const stateOf = async (daemon: TestDaemon, device: string): Promise<StickState | undefined> => (await daemon.arrival.usbState()).sticks.find((s) => s.device === device);
const resultOf = async (s: Stick) => JSON.parse((await s.read('outpost-result.json')) ?? 'null') as { outcome: string; results: { release: string; toVersion: string; outcome: string; code: string | null }[]; files: { file: string; state: string; code: string | null }[] } | null;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'outpost-usb-'));
  mountRoot = path.join(dir, 'mnt');
});
afterAll(async () => {
  for (const s of sticks) await s.remove();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(why !== null)('usb.policy auto', () => {
  let env: UpgradeEnv;
  let daemon: TestDaemon;

  beforeAll(async () => {
    env = await startUpgradeEnv();
    const { home: _home, ...settings } = env.settings({ usb: { policy: 'auto' } });
    daemon = await startTestDaemon(settings);
    await daemon.upgradesReady;
  }, 90_000);
  afterAll(async () => {
    await daemon?.stop();
    await env?.close();
  });

  it('applies a signed, newer bundle from a vfat stick, writes the result and a support bundle back, and unmounts', async () => {
    const bundle = await buildAppBundle(env.dir, { version: '1.0.0', sequence: 1, images: [`${env.prefix}web:1`], manifests: manifests(`${env.prefix}web:1`, '1') });
    const s = await stick(fsOr('vfat'), 'AUTOSTICK', { 'app-1.0.0.outpost': { from: bundle }, 'outpost-support': { text: '' } });
    const lines: string[] = [];
    const r = await runUsb('attach', s.device, daemon.home, mountRoot, (l) => lines.push(l));
    expect(r.code, r.stderr).toBe(0);
    expect(lines.some((l) => l.includes('verifying'))).toBe(true);
    expect(lines.some((l) => l.includes('applying'))).toBe(true);
    expect(lines.at(-1)).toContain('you may remove the stick');
    const state = await stateOf(daemon, s.name);
    expect(state).toMatchObject({ phase: 'done', removable: true, actor: 'usb:AUTOSTICK', resultFile: { written: true }, supportBundle: { written: true } });
    expect((await daemon.upgrades.listReleases()).find((x) => x.name === 'app')).toMatchObject({ version: '1.0.0', installedBy: 'usb:AUTOSTICK' });
    const result = await resultOf(s);
    expect(result).toMatchObject({ outcome: 'committed', results: [{ release: 'app', toVersion: '1.0.0', outcome: 'committed' }] });
    expect(await s.read('outpost-result.txt')).toContain('app: (nothing) -> 1.0.0  INSTALLED');
    expect((await s.list()).some((f) => /^outpost-support-.*\.tar\.gz$/.test(f))).toBe(true);
    expect(existsSync(path.join(mountRoot, s.name))).toBe(false);
  }, 120_000);

  it('offers and applies only the highest sequence of a release on an ext4 stick', async () => {
    const b2 = await buildAppBundle(env.dir, { version: '1.1.0', sequence: 2, images: [`${env.prefix}web:2`], manifests: manifests(`${env.prefix}web:2`, '2') });
    const b3 = await buildAppBundle(env.dir, { version: '1.2.0', sequence: 3, images: [`${env.prefix}web:3`], manifests: manifests(`${env.prefix}web:3`, '3') });
    const s = await stick('ext4', 'TWOBUNDLES', { 'app-1.1.0.outpost': { from: b2 }, 'outpost/app-1.2.0.outpost': { from: b3 } });
    const r = await runUsb('attach', s.device, daemon.home, mountRoot);
    expect(r.code, r.stderr).toBe(0);
    const result = await resultOf(s);
    expect(result?.results).toEqual([expect.objectContaining({ release: 'app', toVersion: '1.2.0', outcome: 'committed' })]);
    expect(result?.files).toEqual([
      expect.objectContaining({ file: 'app-1.1.0.outpost', state: 'superseded' }),
      expect.objectContaining({ file: 'outpost/app-1.2.0.outpost', state: 'offered' }),
    ]);
    expect((await daemon.upgrades.listReleases()).find((x) => x.name === 'app')?.version).toBe('1.2.0');
  }, 120_000);

  it('refuses bad bundles with their codes (a bad signature costs one read of the manifest) and applies nothing', async () => {
    const good = await buildAppBundle(env.dir, { version: '1.3.0', sequence: 4, images: [`${env.prefix}web:4`], manifests: manifests(`${env.prefix}web:4`, '4') });
    const bytes = readFileSync(good);
    const badSig = Buffer.from(bytes);
    const sigAt = badSig.indexOf(Buffer.from('"signature"'));
    badSig[sigAt + 20] = badSig[sigAt + 20] === 0x41 ? 0x42 : 0x41;
    const badDigest = Buffer.from(bytes);
    badDigest[badDigest.length - 2048]! ^= 0x01;
    writeFileSync(path.join(dir, 'bad-sig.outpost'), badSig);
    writeFileSync(path.join(dir, 'bad-digest.outpost'), badDigest);
    const s = await stick(fsOr('vfat'), 'BADSTICK', { 'a.outpost': { from: path.join(dir, 'bad-sig.outpost') }, 'b.outpost': { from: path.join(dir, 'bad-digest.outpost') } });
    const r = await runUsb('attach', s.device, daemon.home, mountRoot);
    expect(r.code, r.stderr).toBe(0);
    const result = await resultOf(s);
    expect(result?.outcome).toBe('nothing');
    const codes = Object.fromEntries(result?.files.map((f) => [f.file, `${f.state} ${f.code}`]) ?? []);
    expect(codes['a.outpost']).toMatch(/^refused bundle\.(signature_invalid|signature_malformed)$/);
    expect(codes['b.outpost']).toBe('refused bundle.member_digest_mismatch');
    expect((await daemon.upgrades.listReleases()).find((x) => x.name === 'app')?.version).toBe('1.2.0');
    expect(readdirSync(path.join(daemon.home, 'bundles', 'incoming'))).toEqual([]);
  }, 120_000);
});

describe.skipIf(why !== null)('usb.policy confirm and off, pulled and full sticks', () => {
  let confirm: TestDaemon;
  let off: TestDaemon;
  let bundle: string;

  beforeAll(async () => {
    const trust = await writeTrustFolder(path.join(dir, 'trust'));
    const base = { upgrade: { trustDir: trust }, containerd: { ctr: '/bin/false' } };
    confirm = await startTestDaemon({ ...base, usb: { policy: 'confirm' } });
    off = await startTestDaemon({ ...base, usb: { policy: 'off' } });
    bundle = await buildAppBundle(dir, { name: 'kiosk-app', version: '2.0.0', sequence: 7, manifests: manifests('registry.local/none:1', '1') });
  }, 60_000);
  afterAll(async () => {
    await confirm?.stop();
    await off?.stop();
  });

  it('confirm: offers the bundle (source usb) and applies nothing', async () => {
    const s = await stick(fsOr('exfat'), 'CONFIRM', { 'k.outpost': { from: bundle } });
    const r = await runUsb('attach', s.device, confirm.home, mountRoot);
    expect(r.code, r.stderr).toBe(0);
    expect((await resultOf(s))?.results).toEqual([expect.objectContaining({ release: 'kiosk-app', outcome: 'offered' })]);
    expect((await confirm.upgrades.listBundles()).map((b) => `${b.name} ${b.source}`)).toEqual(['kiosk-app usb']);
    expect(await confirm.upgrades.currentUpgrade()).toBeNull();
    expect((await confirm.upgrades.upgradeHistory({ limit: 5 })).length).toBe(0);
  }, 60_000);

  it('off: reads nothing and writes nothing', async () => {
    const s = await stick(fsOr('vfat'), 'OFFSTICK', { 'k.outpost': { from: bundle } });
    const r = await runUsb('attach', s.device, off.home, mountRoot);
    expect(r.code, r.stderr).toBe(0);
    expect(await stateOf(off, s.name)).toMatchObject({ phase: 'done', code: 'usb.policy_off', removable: true, found: 0 });
    expect((await s.list()).filter((f) => f !== 'lost+found')).toEqual(['k.outpost']);
    expect(await off.upgrades.listBundles()).toEqual([]);
  }, 60_000);

  it('a stick pulled while its bundle is verified: a clear error, the staging deleted, nothing offered', async () => {
    const big = path.join(dir, 'big.outpost');
    // Large enough that its full verification (hash and a durable staged copy) outlasts starting `detach`.
    await writeBigBundle(big, 800 * 1024 * 1024, KEY_A, 3);
    const s = await stick('ext4', 'PULLED', { 'big.outpost': { from: big } }, 900);
    let pulled: Promise<unknown> | undefined;
    const r = await runUsb('attach', s.device, confirm.home, mountRoot, (line) => {
      if (!pulled && line.includes('Verifying 1 of 1')) pulled = s.pull().then(() => runUsb('detach', s.device, confirm.home, mountRoot));
    });
    await pulled;
    expect(pulled).toBeDefined();
    expect(r.code).toBe(0);
    expect(await stateOf(confirm, s.name)).toMatchObject({ phase: 'failed', code: 'usb.removed_early', removable: true });
    expect((await confirm.upgrades.listBundles()).map((b) => b.name)).not.toContain('bench');
    expect(readdirSync(path.join(confirm.home, 'bundles', 'incoming'))).toEqual([]);
  }, 120_000);

  it('a full stick: the result cannot be written, said so, and the stick is still released', async () => {
    const s = await stick(fsOr('vfat'), 'FULLSTICK', { 'k.outpost': { from: bundle }, filler: { fill: true } }, 16);
    const r = await runUsb('attach', s.device, confirm.home, mountRoot);
    expect(r.code, r.stderr).toBe(0);
    expect(await stateOf(confirm, s.name)).toMatchObject({ phase: 'done', removable: true, resultFile: { written: false, message: expect.stringContaining('full') } });
    expect(await s.read('outpost-result.json')).toBeNull();
  }, 60_000);

  it.skipIf(kernelHas('vfat'))('a vfat stick on a kernel without vfat: a clear state (cannot be read), never a crash', async () => {
    const s = await makeStick('ext4', 'NOVFAT', {});
    sticks.push(s);
    await import('node:child_process').then(({ execFileSync }) => execFileSync('mkfs.vfat', ['-n', 'NOVFAT', s.device], { stdio: 'ignore' }));
    const r = await runUsb('attach', s.device, confirm.home, mountRoot);
    expect(r.code, r.stderr).toBe(0);
    expect(await stateOf(confirm, s.name)).toMatchObject({ phase: 'failed', code: 'usb.unreadable', fsType: 'vfat', removable: true });
  }, 60_000);

  it('a stick without a usable filesystem: a clear state, never a crash', async () => {
    const s = await stick(fsOr('vfat'), 'WIPED', {});
    await import('node:child_process').then(({ execFileSync }) => execFileSync('dd', ['if=/dev/zero', `of=${s.device}`, 'bs=1M', 'count=4', 'status=none']));
    const r = await runUsb('attach', s.device, confirm.home, mountRoot);
    expect(r.code, r.stderr).toBe(0);
    expect(await stateOf(confirm, s.name)).toMatchObject({ phase: 'failed', code: 'usb.unsupported_filesystem', removable: true });
  }, 60_000);
});
