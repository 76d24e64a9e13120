// Writes a large, valid format-v1 bundle quickly for the bench: payload files are a repeated
// pseudo-random pattern, hashed in a first pass and streamed out in a second, so nothing large is
// ever held in memory. The pattern's period (1 MiB + 4099 bytes) is not a multiple of any read
// size, so two read chunks never hold the same bytes and a mixed-up buffer cannot go unnoticed.
import { createHash, randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';
import { serializeManifest, validateManifest } from '../../daemon/src/bundles/parse-manifest.ts';
import { serializeSignatures, signManifest, type SigningKey } from '../../daemon/src/bundles/signature-pure.ts';
import { encodeHeader, END_OF_ARCHIVE_BYTES, padding } from '../../daemon/src/bundles/tar-header-pure.ts';

const MiB = 1024 * 1024;

function* patternChunks(pattern: Buffer, size: number): Generator<Buffer> {
  for (let done = 0; done < size; done += pattern.length) yield size - done >= pattern.length ? pattern : pattern.subarray(0, size - done);
}

export async function writeBigBundle(path: string, totalBytes: number, key: SigningKey, fileCount = 4): Promise<void> {
  const pattern = randomBytes(MiB + 4099);
  const sizes = Array.from({ length: fileCount }, (_, i) => Math.floor(totalBytes / fileCount) + (i === 0 ? totalBytes % fileCount : 0));
  const files = sizes.map((size, i) => {
    const hash = createHash('sha256');
    for (const chunk of patternChunks(pattern, size)) hash.update(chunk);
    return { path: `images/big-${i}.tar`, size, sha256: hash.digest('hex'), role: 'image' as const, references: [`registry.local/bench/big-${i}:1.0`], platform: { os: 'linux', architecture: 'amd64' } };
  });
  const manifest = validateManifest({
    format: 'outpost-bundle/v1',
    name: 'bench',
    version: '1.0.0',
    sequence: 1,
    created: '2026-01-01T00:00:00Z',
    expires: '2036-01-01T00:00:00Z',
    requires: { architecture: 'amd64', kubernetes: '>=1.28.0', outpost: '0.1.0' },
    files,
  });
  const manifestBytes = serializeManifest(manifest);
  const signatureBytes = serializeSignatures(signManifest(manifestBytes, [key]));
  const handle = await open(path, 'w', 0o644);
  try {
    const write = async (bytes: Uint8Array) => {
      let done = 0;
      while (done < bytes.length) done += (await handle.write(bytes, done, bytes.length - done)).bytesWritten;
    };
    for (const [name, body] of [['manifest.json', manifestBytes], ['manifest.sig', signatureBytes]] as const) {
      await write(encodeHeader({ name, size: body.length }));
      await write(body);
      await write(Buffer.alloc(padding(body.length)));
    }
    for (const file of files) {
      await write(encodeHeader({ name: file.path, size: file.size }));
      for (const chunk of patternChunks(pattern, file.size)) await write(chunk);
      await write(Buffer.alloc(padding(file.size)));
    }
    await write(Buffer.alloc(END_OF_ARCHIVE_BYTES));
    // Flushed now, so its write-back does not run (and compete for CPU and disk) during the measurements.
    await handle.sync();
  } finally {
    await handle.close();
  }
}
