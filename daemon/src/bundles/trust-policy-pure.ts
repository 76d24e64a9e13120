// The device's trust policy from the trust folder's contents: public keys (PEM), a threshold
// (default 1) and revoked key ids. Pure: file contents in, TrustPolicy out (trust-store.ts reads
// the folder). A policy no bundle could ever satisfy is refused when it is loaded, not per bundle.
import { createPublicKey } from 'node:crypto';
import { z } from 'zod';
import { BundleError } from './errors.ts';
import { parseStrictJson, StrictJsonError } from './parse-strict-json.ts';
import { keyIdOf, rawPublicKeyOf, type TrustedKey, type TrustPolicy } from './signature-pure.ts';

export const TRUST_MAX_KEYS = 256;
export const TRUST_FILE_MAX_BYTES = 64 * 1024;

const policySchema = z.strictObject({
  threshold: z.number().int().min(1).max(TRUST_MAX_KEYS).optional(),
  revoked: z.array(z.string().regex(/^[0-9a-f]{32}$/, 'must be a 32-hex-digit key id')).max(4096).optional(),
});

export interface TrustPolicyFile {
  threshold: number;
  revoked: string[];
}

export function parseTrustPolicyFile(text: string, source: string): TrustPolicyFile {
  let value: unknown;
  try {
    value = parseStrictJson(text, { maxDepth: 4 });
  } catch (error) {
    throw new BundleError('bundle.trust_invalid', `${source}: ${error instanceof StrictJsonError ? `${error.path}: ${error.message}` : String(error)}`);
  }
  const result = policySchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new BundleError('bundle.trust_invalid', `${source}: ${issue?.path.join('.') || '$'}: ${issue?.message ?? 'invalid'}`);
  }
  return { threshold: result.data.threshold ?? 1, revoked: result.data.revoked ?? [] };
}

export function parseTrustedKey(pem: string, source: string): TrustedKey {
  try {
    const key = createPublicKey({ key: pem, format: 'pem' });
    const raw = rawPublicKeyOf(key);
    return { keyId: keyIdOf(raw), raw, key, source };
  } catch (error) {
    throw new BundleError('bundle.trust_invalid', `${source}: not an Ed25519 public key in PEM (${(error as Error).message})`, { cause: error });
  }
}

export function buildTrustPolicy(keys: TrustedKey[], file: TrustPolicyFile): TrustPolicy {
  const byId = new Map<string, TrustedKey>();
  for (const key of keys) if (!byId.has(key.keyId)) byId.set(key.keyId, key);
  const revoked = new Set(file.revoked);
  const usable = [...byId.keys()].filter((id) => !revoked.has(id)).length;
  if (usable === 0) throw new BundleError('bundle.trust_invalid', 'the trust folder holds no usable (trusted and not revoked) key');
  if (file.threshold > usable) {
    throw new BundleError('bundle.trust_invalid', `the threshold ${file.threshold} exceeds the ${usable} usable key${usable === 1 ? '' : 's'} in the trust folder`);
  }
  return { keys: byId, threshold: file.threshold, revoked };
}
