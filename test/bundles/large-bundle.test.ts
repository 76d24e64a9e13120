// A multi-megabyte bundle through the real file source: the reused read buffers and the writes in
// flight must never mix, so every staged blob is hashed again from disk and compared.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTrust, verifyBundleFile } from '../../daemon/src/bundles/index.ts';
import { writeBigBundle } from '../bench/big-bundle.ts';
import { DEVICE, writeTrust } from '../fixtures/bundle-forge/forge.ts';
import { KEY_A } from '../fixtures/bundle-forge/test-keys.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'outpost-bundle-large-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a large bundle', () => {
  it('stages every blob exactly as listed, across many reused read buffers', async () => {
    const file = join(dir, 'large.outpost');
    // Odd sizes so members straddle read chunks at unaligned offsets.
    await writeBigBundle(file, 37 * 1024 * 1024 + 12345, KEY_A, 5);
    const trust = await loadTrust(await writeTrust(join(dir, 'trust')));
    await mkdir(join(dir, 'stage'));
    const progress: number[] = [];
    const result = await verifyBundleFile(file, { trust, device: DEVICE, stageTo: join(dir, 'stage'), onProgress: (p) => progress.push(p.index) });
    expect(progress).toEqual([0, 1, 2, 3, 4]);
    for (const staged of result.files) {
      const bytes = await readFile(staged.stagedPath ?? '');
      expect(bytes.length).toBe(staged.size);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(staged.sha256);
    }
  });
});
