// `bundle inspect`: what a bundle says about itself, reading only its first members (manifest,
// signatures, and the release notes when they come first). It does not decide trust: the
// signers are listed as claimed; `verify` is the check.
import { createHash } from 'node:crypto';
import { ByteReader } from './byte-reader.ts';
import { parseManifest, type BundleManifest } from './parse-manifest.ts';
import { parseSignatures } from './signature-pure.ts';
import { openBundleFile } from './source.ts';
import { readMemberHeader, readSmallBody } from './tar-members.ts';
import { readManifestAndSignatures } from './verify.ts';

export const NOTES_MAX_BYTES = 1024 * 1024;

export interface BundleSummary {
  manifest: BundleManifest;
  /** Key ids that claim to have signed (not checked against any trust folder). */
  claimedSigners: string[];
  totalPayloadBytes: number;
  /** Release notes, when they are the first payload file and small enough; digest-checked. */
  notes: string | null;
}

export async function inspectBundle(path: string): Promise<BundleSummary> {
  const source = await openBundleFile(path, 64 * 1024);
  const reader = new ByteReader(source.chunks);
  try {
    const { manifestBytes, signatureBytes } = await readManifestAndSignatures(reader);
    const claimedSigners = parseSignatures(signatureBytes).map((s) => s.keyId);
    const manifest = parseManifest(manifestBytes);
    let notes: string | null = null;
    const firstFile = manifest.files[0];
    if (firstFile?.role === 'doc' && firstFile.size <= NOTES_MAX_BYTES) {
      const third = await readMemberHeader(reader, 2, firstFile.path);
      if (third.kind === 'member' && third.header.name === firstFile.path && third.header.size === firstFile.size) {
        const body = await readSmallBody(reader, third.header);
        if (createHash('sha256').update(body).digest('hex') === firstFile.sha256) notes = body.toString('utf8');
      }
    }
    const totalPayloadBytes = manifest.files.reduce((sum, f) => sum + f.size, 0);
    return { manifest, claimedSigners, totalPayloadBytes, notes };
  } finally {
    await reader.close();
    await source.close();
  }
}
