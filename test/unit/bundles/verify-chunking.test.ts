// The verifier over in-memory sources (no staging, so no I/O): chunk boundaries anywhere must not
// change the outcome.
import { describe, expect, it } from 'vitest';
import { BundleError } from '../../../daemon/src/bundles/errors.ts';
import type { TrustPolicy } from '../../../daemon/src/bundles/signature-pure.ts';
import { buildTrustPolicy, parseTrustedKey } from '../../../daemon/src/bundles/trust-policy-pure.ts';
import { verifyBundle } from '../../../daemon/src/bundles/verify.ts';
import { DEVICE, forgeBundle, serializeBundle } from '../../fixtures/bundle-forge/forge.ts';
import { KEY_A, publicPem } from '../../fixtures/bundle-forge/test-keys.ts';

const trust: TrustPolicy = buildTrustPolicy([parseTrustedKey(publicPem(KEY_A), 'a.pub')], { threshold: 1, revoked: [] });
const bytes = serializeBundle(forgeBundle());

async function* inChunks(data: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

describe('verifyBundle over any chunking', () => {
  it.each([1, 7, 511, 512, 513, 4096, 1 << 20])('verifies the forged bundle fed in %i-byte chunks', async (size) => {
    const result = await verifyBundle({ source: inChunks(bytes, size), trust, device: DEVICE });
    expect(result.files.map((f) => f.path)).toEqual(['NOTES.md', 'manifests/app.yaml', 'charts/hello-0.1.0.tgz', 'images/hello.tar']);
    expect(result.bytes).toBe(bytes.length);
    expect(result.stagingDir).toBeNull();
  });

  it('finds a flipped payload byte whatever the chunking', async () => {
    const bad = Buffer.from(bytes);
    bad[bad.length - 1024 - 600]! ^= 1;
    for (const size of [3, 512, 65536]) {
      await expect(verifyBundle({ source: inChunks(bad, size), trust, device: DEVICE })).rejects.toMatchObject({ code: 'bundle.member_digest_mismatch', member: 'images/hello.tar' });
    }
  });

  it('stops when the abort signal fires', async () => {
    const controller = new AbortController();
    async function* stalls(): AsyncGenerator<Buffer> {
      yield bytes.subarray(0, 1024);
      controller.abort(new Error('deadline'));
      yield bytes.subarray(1024, 2048);
    }
    const error = await verifyBundle({ source: stalls(), trust, device: DEVICE, signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BundleError);
    expect((error as BundleError).code).toBe('bundle.aborted');
  });

  it('stops a source that stalls forever when the signal fires', async () => {
    async function* stallsForever(): AsyncGenerator<Buffer> {
      yield bytes.subarray(0, 1024);
      await new Promise(() => undefined);
    }
    const error = verifyBundle({ source: stallsForever(), trust, device: DEVICE, signal: AbortSignal.timeout(50) });
    await expect(error).rejects.toMatchObject({ code: 'bundle.aborted' });
  });

  it('reports a failing source as unreadable', async () => {
    async function* breaks(): AsyncGenerator<Buffer> {
      yield bytes.subarray(0, 700);
      throw new Error('USB stick removed');
    }
    await expect(verifyBundle({ source: breaks(), trust, device: DEVICE })).rejects.toMatchObject({ code: 'bundle.source_unreadable' });
  });
});
