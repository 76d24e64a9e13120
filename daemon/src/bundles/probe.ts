// A cheap first look before a full verification: members 1 and 2 only, the signature checked
// against the trust folder before the manifest is parsed, then the device policy (anti-rollback,
// expiry). A bundle with a bad signature costs one read of its manifest. Nothing is staged: a
// bundle that passes is verified in full (every member hashed) when it is offered.
import { ByteReader } from './byte-reader.ts';
import { checkDevicePolicy, type DeviceState } from './device-policy-pure.ts';
import { parseManifest, type BundleManifest } from './parse-manifest.ts';
import { evaluateSignatures, parseSignatures, type TrustPolicy } from './signature-pure.ts';
import { openBundleFile } from './source.ts';
import { readManifestAndSignatures } from './verify.ts';

export interface ProbedBundle {
  manifest: BundleManifest;
  signers: string[];
  /** The file's size. */
  bytes: number;
}

export async function probeBundleFile(path: string, options: { trust: TrustPolicy; device: (manifest: BundleManifest) => DeviceState; signal?: AbortSignal }): Promise<ProbedBundle> {
  const source = await openBundleFile(path, 64 * 1024);
  const reader = new ByteReader(source.chunks, options.signal);
  try {
    const { manifestBytes, signatureBytes } = await readManifestAndSignatures(reader);
    const signers = evaluateSignatures(parseSignatures(signatureBytes), manifestBytes, options.trust);
    const manifest = parseManifest(manifestBytes);
    checkDevicePolicy(manifest, options.device(manifest));
    return { manifest, signers, bytes: source.size };
  } finally {
    await reader.close();
    await source.close();
  }
}
