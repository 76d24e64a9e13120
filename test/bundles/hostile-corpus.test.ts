// The hostile corpus: every case runs its unmutated control bundle (which must verify) and then the
// bundle with one thing changed, which must be refused with the case's code while nothing outside
// the (removed) staging folder is created or changed.
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BundleError, loadTrust, verifyBundleFile } from '../../daemon/src/bundles/index.ts';
import { DEVICE, forgeBundle, remanifest, serializeBundle, writeTrust } from '../fixtures/bundle-forge/forge.ts';
import type { HostileCase } from './hostile-case.ts';
import { archiveCases } from './hostile-cases-archive.ts';
import { canonicalCases } from './hostile-cases-canonical.ts';
import { headerCases } from './hostile-cases-headers.ts';
import { signedCases } from './hostile-cases-signed.ts';
import { snapshotTree } from './tree-snapshot.ts';

const cases: HostileCase[] = [...signedCases, ...archiveCases, ...canonicalCases, ...headerCases];
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'outpost-hostile-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function refusal(promise: Promise<unknown>): Promise<BundleError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof BundleError) return error;
    throw error;
  }
  throw new Error('the bundle was accepted');
}

describe('the hostile corpus', () => {
  it('holds at least 40 distinct cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  it('accepts unknown fields and nesting inside the free-form annotations', async () => {
    const dir = join(root, 'annotations');
    const trust = await loadTrust(await writeTrust(join(dir, 'trust')));
    const bundle = forgeBundle();
    bundle.manifest.annotations = { 'x.io/anything': { postInstall: 'not ours to run', deep: [[{ a: null }]] }, count: 3 };
    const path = join(dir, 'annotated.outpost');
    await writeFile(path, serializeBundle(remanifest(bundle)));
    const result = await verifyBundleFile(path, { trust, device: DEVICE });
    expect(result.manifest.annotations).toEqual(bundle.manifest.annotations);
  });

  cases.forEach((hostile, i) => {
    it(`rejects ${hostile.name} with ${hostile.code}`, async () => {
      const dir = join(root, `case-${i}`);
      const trust = await loadTrust(await writeTrust(join(dir, 'trust'), hostile.trust));
      const device = { ...DEVICE, ...hostile.device };

      const control = join(dir, 'control.outpost');
      await writeFile(control, serializeBundle(forgeBundle(hostile.base)));
      await mkdir(join(dir, 'control-stage'));
      const passed = await verifyBundleFile(control, { trust, device, stageTo: join(dir, 'control-stage') });
      expect(passed.files).toHaveLength(4);
      await rm(join(dir, 'control-stage'), { recursive: true });

      const bundle = forgeBundle(hostile.base);
      hostile.mutate?.(bundle);
      let bytes = serializeBundle(bundle);
      if (hostile.bytes) bytes = hostile.bytes(bytes, bundle);
      const path = join(dir, 'hostile.outpost');
      await writeFile(path, bytes);
      await mkdir(join(dir, 'stage'));
      // The staging parent's own mtime may change (a staging folder came and went); all else may not.
      const outsideStaging = async () => Object.fromEntries(Object.entries(await snapshotTree(dir)).filter(([path]) => path !== 'stage'));
      const before = await outsideStaging();

      const error = await refusal(verifyBundleFile(path, { trust, device, stageTo: join(dir, 'stage') }));
      expect({ code: error.code, message: error.message }).toMatchObject({ code: hostile.code });
      if (hostile.member !== undefined) expect(error.member).toBe(hostile.member);
      expect(error.message).not.toContain('\n');
      expect(await readdir(join(dir, 'stage'))).toEqual([]);
      expect(await outsideStaging()).toEqual(before);
    });
  });
});
