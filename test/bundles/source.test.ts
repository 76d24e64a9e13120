// Opening a bundle source: only regular files are read; links, FIFOs, devices and directories are
// refused before a byte is read (and a FIFO with no writer does not hang the verifier).
import { execFileSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTrust, verifyBundle, verifyBundleFile, type TrustPolicy } from '../../daemon/src/bundles/index.ts';
import { DEVICE, forgeBundle, serializeBundle, writeTrust } from '../fixtures/bundle-forge/forge.ts';

let dir: string;
let bundle: string;
let trust: TrustPolicy;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'outpost-bundle-source-'));
  bundle = join(dir, 'app.outpost');
  await writeFile(bundle, serializeBundle(forgeBundle()));
  trust = await loadTrust(await writeTrust(join(dir, 'trust')));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('bundle sources', () => {
  it('verifies a bundle from a plain readable stream (an upload)', async () => {
    const stage = await mkdtemp(join(dir, 'stage-'));
    const result = await verifyBundle({ source: createReadStream(bundle, { highWaterMark: 3000 }), trust, device: DEVICE, stageTo: stage });
    expect(result.files).toHaveLength(4);
    expect(await readdir(result.stagingDir ?? '')).toHaveLength(6);
  });

  it('refuses a symbolic link to a valid bundle', async () => {
    const link = join(dir, 'link.outpost');
    await symlink(bundle, link);
    await expect(verifyBundleFile(link, { trust, device: DEVICE })).rejects.toMatchObject({ code: 'bundle.source_not_regular_file' });
  });

  it('refuses a FIFO without waiting for a writer', async () => {
    const fifo = join(dir, 'fifo.outpost');
    execFileSync('mkfifo', [fifo]);
    await expect(verifyBundleFile(fifo, { trust, device: DEVICE })).rejects.toMatchObject({ code: 'bundle.source_not_regular_file' });
  });

  it('refuses a device and a directory', async () => {
    await expect(verifyBundleFile('/dev/zero', { trust, device: DEVICE })).rejects.toMatchObject({ code: 'bundle.source_not_regular_file' });
    await mkdir(join(dir, 'folder.outpost'));
    await expect(verifyBundleFile(join(dir, 'folder.outpost'), { trust, device: DEVICE })).rejects.toMatchObject({ code: 'bundle.source_not_regular_file' });
  });

  it('reports a missing file as unreadable', async () => {
    await expect(verifyBundleFile(join(dir, 'nope.outpost'), { trust, device: DEVICE })).rejects.toMatchObject({ code: 'bundle.source_unreadable' });
  });

  it('refuses a trust folder with a symlinked policy', async () => {
    const other = await writeTrust(join(dir, 'trust-link'));
    await rm(join(other, 'policy.json'));
    await writeFile(join(dir, 'evil-policy.json'), '{"threshold": 1}');
    await symlink(join(dir, 'evil-policy.json'), join(other, 'policy.json'));
    await expect(loadTrust(other)).rejects.toMatchObject({ code: 'bundle.trust_invalid' });
  });
});
