// The verifier: one streaming pass over a bundle from any byte source. Order of trust: the
// signature over the raw manifest bytes is checked before any other byte is interpreted; then the
// manifest, the device policy, and each payload member in manifest order, hashed while it is copied
// into a fresh staging folder. Any violation stops the pass, removes the staging and throws a
// BundleError naming the member. Memory stays flat: payloads only ever exist as one chunk in flight.
import { createHash } from 'node:crypto';
import { ByteReader } from './byte-reader.ts';
import { checkDevicePolicy, type DeviceState } from './device-policy-pure.ts';
import { BundleError, isBundleError } from './errors.ts';
import { MANIFEST_MAX_BYTES, parseManifest, type BundleFile, type BundleManifest } from './parse-manifest.ts';
import { evaluateSignatures, parseSignatures, SIGNATURES_MAX_BYTES, type TrustPolicy } from './signature-pure.ts';
import { WRITES_IN_FLIGHT } from './source.ts';
import { blobName, Staging, type BlobWriter } from './staging.ts';
import { expectEndOfArchive, readMemberHeader, readSmallBody, skipPadding, unlistedMember } from './tar-members.ts';
import type { TarHeader } from './tar-header-pure.ts';

export interface VerifyOptions {
  source: AsyncIterable<Uint8Array>;
  trust: TrustPolicy;
  /** The device state, or a function of the manifest (anti-rollback is per bundle name, so the state depends on it). */
  device: DeviceState | ((manifest: BundleManifest) => DeviceState);
  /** Parent folder for a fresh staging folder; null or absent: hash only, stage nothing. */
  stageTo?: string | null;
  /** fsync every staged file and the staging folder before returning (default false: the caller syncs when it commits). */
  durable?: boolean;
  signal?: AbortSignal;
  /** Called after each payload member, for progress. */
  onProgress?: (progress: { member: string; index: number; count: number; bytes: number }) => void;
}

export interface StagedFile extends BundleFile {
  /** Where the verified copy lives, or null when nothing was staged. */
  stagedPath: string | null;
}

export interface VerifiedBundle {
  manifest: BundleManifest;
  manifestBytes: Buffer;
  /** Key ids whose signatures counted. */
  signers: string[];
  /** The staging folder (holding manifest.json, manifest.sig and NNNN.blob), or null. */
  stagingDir: string | null;
  files: StagedFile[];
  /** Bytes read from the source. */
  bytes: number;
}

/** Members 1 and 2, raw: nothing in them is interpreted here. Shared with inspect. */
export async function readManifestAndSignatures(reader: ByteReader): Promise<{ manifestBytes: Buffer; signatureBytes: Buffer }> {
  const first = await readMemberHeader(reader, 0, 'manifest.json');
  if (first.kind === 'end' || first.header.name !== 'manifest.json') {
    const found = first.kind === 'end' ? 'the end of the archive' : JSON.stringify(first.header.name);
    throw new BundleError('bundle.manifest_missing', `the first member must be manifest.json, found ${found}`, { member: first.kind === 'end' ? 'manifest.json' : first.header.name });
  }
  if (first.header.size > MANIFEST_MAX_BYTES) {
    throw new BundleError('bundle.manifest_too_large', `manifest.json is ${first.header.size} bytes, more than ${MANIFEST_MAX_BYTES}`, { member: 'manifest.json' });
  }
  const manifestBytes = await readSmallBody(reader, first.header);
  const second = await readMemberHeader(reader, 1, 'manifest.sig');
  if (second.kind === 'end' || second.header.name !== 'manifest.sig') {
    const found = second.kind === 'end' ? 'the end of the archive' : JSON.stringify(second.header.name);
    throw new BundleError('bundle.signature_missing', `the second member must be manifest.sig, found ${found}`, { member: 'manifest.sig' });
  }
  if (second.header.size > SIGNATURES_MAX_BYTES) {
    throw new BundleError('bundle.signature_malformed', `manifest.sig is ${second.header.size} bytes, more than ${SIGNATURES_MAX_BYTES}`, { member: 'manifest.sig' });
  }
  return { manifestBytes, signatureBytes: await readSmallBody(reader, second.header) };
}

function checkListedHeader(header: TarHeader, file: BundleFile, index: number, manifest: BundleManifest, done: Set<string>): void {
  if (header.name !== file.path) {
    const listedAt = manifest.files.findIndex((f) => f.path === header.name);
    if (listedAt > index) {
      throw new BundleError('bundle.member_missing', `${file.path} is missing: member ${index + 3} is ${header.name}, listed after it`, { member: file.path });
    }
    const why = done.has(header.name) ? 'appears a second time' : listedAt === -1 ? 'is not listed in the manifest' : `is listed as file ${listedAt + 1}, not here`;
    throw new BundleError('bundle.member_unexpected', `member ${index + 3} ${JSON.stringify(header.name)} ${why}; expected ${file.path}`, { member: header.name });
  }
  if (header.size !== file.size) {
    const way = header.size > file.size ? 'larger' : 'smaller';
    throw new BundleError('bundle.member_size_mismatch', `${file.path} is ${header.size} bytes, ${way} than the listed ${file.size}`, { member: file.path });
  }
}

async function copyAndHash(reader: ByteReader, file: BundleFile, writer: BlobWriter | null): Promise<void> {
  const hash = createHash('sha256');
  let seen = 0;
  const writes: Promise<void>[] = [];
  try {
    for await (const slice of reader.slices(file.size)) {
      // Writes run on the thread pool while this thread hashes; at most WRITES_IN_FLIGHT wait.
      if (writes.length >= WRITES_IN_FLIGHT) await writes.shift();
      if (writer) {
        const written = writer.write(slice);
        written.catch(() => undefined); // handled when awaited below; never an unhandled rejection meanwhile
        writes.push(written);
      }
      hash.update(slice);
      seen += slice.length;
    }
    await Promise.all(writes);
  } catch (error) {
    // Settle every write before the slices' buffers can be reused or the file closed.
    await Promise.allSettled(writes);
    throw error;
  }
  if (seen < file.size) throw new BundleError('bundle.archive_truncated', `the archive ends inside ${file.path} (${seen} of ${file.size} bytes)`, { member: file.path });
  const digest = hash.digest('hex');
  if (digest !== file.sha256) throw new BundleError('bundle.member_digest_mismatch', `${file.path} has sha256 ${digest}, the manifest lists ${file.sha256}`, { member: file.path });
}

async function verifyPayload(reader: ByteReader, manifest: BundleManifest, staging: Staging | null, options: VerifyOptions): Promise<StagedFile[]> {
  const staged: StagedFile[] = [];
  const done = new Set<string>();
  for (const [index, file] of manifest.files.entries()) {
    const next = await readMemberHeader(reader, index + 2, file.path);
    if (next.kind === 'end') throw new BundleError('bundle.member_missing', `the archive ends before ${file.path} (file ${index + 1} of ${manifest.files.length})`, { member: file.path });
    checkListedHeader(next.header, file, index, manifest, done);
    const writer = staging ? await staging.open(blobName(index)) : null;
    try {
      await copyAndHash(reader, file, writer);
      await skipPadding(reader, next.header);
      await writer?.finish();
    } catch (error) {
      await writer?.abandon();
      throw error;
    }
    done.add(file.path);
    staged.push({ ...file, stagedPath: writer?.path ?? null });
    options.onProgress?.({ member: file.path, index, count: manifest.files.length, bytes: reader.position });
  }
  const after = await readMemberHeader(reader, manifest.files.length + 2, 'the end of the archive').catch((error: unknown) => {
    // Anything but a clean header here is data after the last listed member.
    if (isBundleError(error) && error.code === 'bundle.archive_truncated') throw new BundleError('bundle.archive_truncated', 'the archive ends without its end-of-archive marker');
    throw error;
  });
  if (after.kind === 'member') throw unlistedMember(after.header);
  await expectEndOfArchive(reader);
  return staged;
}

/** Verifies (and optionally stages) one bundle. Throws BundleError; on any failure nothing stays staged. */
export async function verifyBundle(options: VerifyOptions): Promise<VerifiedBundle> {
  const reader = new ByteReader(options.source, options.signal);
  let staging: Staging | null = null;
  try {
    const { manifestBytes, signatureBytes } = await readManifestAndSignatures(reader);
    const signers = evaluateSignatures(parseSignatures(signatureBytes), manifestBytes, options.trust);
    const manifest = parseManifest(manifestBytes);
    checkDevicePolicy(manifest, typeof options.device === 'function' ? options.device(manifest) : options.device);
    if (options.stageTo) {
      staging = await Staging.create(options.stageTo, options.durable ?? false);
      await staging.writeFile('manifest.json', manifestBytes);
      await staging.writeFile('manifest.sig', signatureBytes);
    }
    const files = await verifyPayload(reader, manifest, staging, options);
    await staging?.syncFolder();
    return { manifest, manifestBytes, signers, stagingDir: staging?.dir ?? null, files, bytes: reader.position };
  } catch (error) {
    await staging?.remove();
    throw error;
  } finally {
    await reader.close();
  }
}
