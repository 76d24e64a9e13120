// Bundles (format v1): the front door. Verify a bundle from any byte source into a staging folder,
// inspect one, build and sign one, manage signing keys and the trust folder. docs/bundle-format.md
// is the specification.
export { BUNDLE_ERROR_CODES, BundleError, isBundleError, type BundleErrorCode } from './errors.ts';
export { verifyBundle, type StagedFile, type VerifiedBundle, type VerifyOptions } from './verify.ts';
export { inspectBundle, type BundleSummary } from './inspect.ts';
export { probeBundleFile, type ProbedBundle } from './probe.ts';
export { buildBundle, type BuildOptions, type BuildResult } from './build.ts';
export { openBundleFile, type BundleFileSource } from './source.ts';
export { loadTrust } from './trust-store.ts';
export { generateKeyPair, loadSigningKey, type GeneratedKeyPair } from './keys.ts';
export { checkDevicePolicy, deviceStateAfterInstall, FRESH_DEVICE, type DeviceState } from './device-policy-pure.ts';
export { MANIFEST_FORMAT, parseManifest, serializeManifest, type BundleFile, type BundleManifest, type FileRole } from './parse-manifest.ts';
export { evaluateSignatures, keyIdOf, parseSignatures, SIGNATURE_CONTEXT, signingPayload, type SigningKey, type TrustPolicy } from './signature-pure.ts';
export { blobName } from './staging.ts';

import { verifyBundle, type VerifiedBundle, type VerifyOptions } from './verify.ts';
import { openBundleFile } from './source.ts';

/** Verifies a bundle file on disk (refusing links, FIFOs and devices) in one pass. */
export async function verifyBundleFile(path: string, options: Omit<VerifyOptions, 'source'>): Promise<VerifiedBundle> {
  const source = await openBundleFile(path);
  try {
    return await verifyBundle({ ...options, source: source.chunks });
  } finally {
    await source.close();
  }
}
