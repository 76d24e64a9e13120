// What is signed (a fixed context string + the exact manifest bytes), key ids, the manifest.sig
// document, and the trust decision: which signatures count and whether they reach the threshold.
// Pure: no I/O; the trust policy is handed in (trust-store.ts loads it from the trust folder).
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { BundleError } from './errors.ts';
import { parseStrictJson, StrictJsonError } from './parse-strict-json.ts';

/** Domain separation: a signature over a manifest can never be replayed as anything else. */
export const SIGNATURE_CONTEXT = 'outpost bundle manifest v1\n';
export const SIGNATURE_SCHEME = 'ed25519';
export const SIGNATURES_MAX_BYTES = 64 * 1024;
export const SIGNATURES_MAX_COUNT = 16;
const SIGNATURES_FORMAT = 'outpost-bundle-signatures/v1';

export interface SignatureEntry {
  scheme: string;
  keyId: string;
  publicKey: string;
  signature: string;
}

export interface TrustedKey {
  keyId: string;
  raw: Buffer;
  key: KeyObject;
  /** Where it came from (a file name in the trust folder), for messages. */
  source: string;
}

export interface TrustPolicy {
  keys: ReadonlyMap<string, TrustedKey>;
  threshold: number;
  revoked: ReadonlySet<string>;
}

export function signingPayload(manifestBytes: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(SIGNATURE_CONTEXT, 'utf8'), manifestBytes]);
}

/** Key id: the first 16 bytes of sha256 over the raw 32-byte Ed25519 public key, as 32 hex digits. */
export function keyIdOf(rawPublicKey: Uint8Array): string {
  return createHash('sha256').update(rawPublicKey).digest('hex').slice(0, 32);
}

export function rawPublicKeyOf(key: KeyObject): Buffer {
  if (key.asymmetricKeyType !== 'ed25519') throw new BundleError('bundle.key_invalid', `expected an Ed25519 key, got ${key.asymmetricKeyType ?? key.type}`);
  const jwk = key.export({ format: 'jwk' });
  return Buffer.from(jwk.x ?? '', 'base64url');
}

export function publicKeyFromRaw(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') }, format: 'jwk' });
}

export function serializeSignatures(entries: SignatureEntry[]): Buffer {
  const sorted = [...entries].sort((a, b) => (a.keyId < b.keyId ? -1 : a.keyId > b.keyId ? 1 : 0));
  return Buffer.from(`${JSON.stringify({ format: SIGNATURES_FORMAT, signatures: sorted }, null, 2)}\n`, 'utf8');
}

const entrySchema = z.strictObject({ scheme: z.string().max(64), keyId: z.string().max(128), publicKey: z.string().max(1024), signature: z.string().max(1024) });
const documentSchema = z.strictObject({ format: z.literal(SIGNATURES_FORMAT), signatures: z.array(entrySchema).max(SIGNATURES_MAX_COUNT) });
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const member = 'manifest.sig';

export function parseSignatures(bytes: Uint8Array): SignatureEntry[] {
  const malformed = (message: string): never => {
    throw new BundleError('bundle.signature_malformed', `manifest.sig: ${message}`, { member });
  };
  if (bytes.length > SIGNATURES_MAX_BYTES) malformed(`${bytes.length} bytes, more than ${SIGNATURES_MAX_BYTES}`);
  let value: unknown;
  try {
    value = parseStrictJson(utf8.decode(bytes), { maxDepth: 4 });
  } catch (error) {
    malformed(error instanceof StrictJsonError ? `${error.path}: ${error.message}` : 'not valid UTF-8');
  }
  const result = documentSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    malformed(`${issue?.path.join('.') || '$'}: ${issue?.message ?? 'invalid'}`);
  }
  const entries = result.data?.signatures ?? [];
  if (entries.length === 0) throw new BundleError('bundle.signature_missing', 'manifest.sig holds no signatures', { member });
  return entries;
}

function decodeBase64(text: string, bytes: number, what: string): Buffer {
  const decoded = Buffer.from(text, 'base64');
  if (decoded.length !== bytes || decoded.toString('base64') !== text) {
    throw new BundleError('bundle.signature_malformed', `manifest.sig: ${what} is not ${bytes} bytes of canonical base64`, { member });
  }
  return decoded;
}

/**
 * Decides whether the manifest bytes are signed by enough trusted keys. Any signature by a revoked
 * key, any entry whose key id does not match its key, and any trusted signature that does not
 * verify refuses the bundle outright; signatures by unknown keys simply do not count; each key
 * counts once however often it signs. Returns the key ids that counted.
 */
export function evaluateSignatures(entries: SignatureEntry[], manifestBytes: Uint8Array, trust: TrustPolicy): string[] {
  const payload = signingPayload(manifestBytes);
  const counted = new Set<string>();
  const untrusted: string[] = [];
  for (const entry of entries) {
    if (entry.scheme !== SIGNATURE_SCHEME) {
      throw new BundleError('bundle.signature_unsupported_scheme', `manifest.sig: scheme ${JSON.stringify(entry.scheme)} is not supported (only ${SIGNATURE_SCHEME})`, { member });
    }
    const raw = decodeBase64(entry.publicKey, 32, `the public key of ${entry.keyId}`);
    const signature = decodeBase64(entry.signature, 64, `the signature of ${entry.keyId}`);
    const actualId = keyIdOf(raw);
    if (actualId !== entry.keyId) {
      throw new BundleError('bundle.key_id_mismatch', `manifest.sig: key id ${entry.keyId} is claimed by a key whose id is ${actualId}`, { member });
    }
    if (trust.revoked.has(entry.keyId)) throw new BundleError('bundle.revoked_key', `manifest.sig: signed by revoked key ${entry.keyId}`, { member });
    const trusted = trust.keys.get(entry.keyId);
    if (!trusted) {
      untrusted.push(entry.keyId);
      continue;
    }
    if (!trusted.raw.equals(raw)) {
      throw new BundleError('bundle.key_id_mismatch', `manifest.sig: key id ${entry.keyId} names a different key than the trusted ${trusted.source}`, { member });
    }
    if (!verify(null, payload, trusted.key, signature)) {
      throw new BundleError('bundle.signature_invalid', `manifest.sig: the signature by ${entry.keyId} does not match manifest.json`, { member });
    }
    counted.add(entry.keyId);
  }
  if (counted.size >= trust.threshold) return [...counted];
  if (counted.size === 0 && untrusted.length > 0) {
    throw new BundleError('bundle.untrusted_key', `manifest.sig: signed only by keys the device does not trust (${untrusted.join(', ')})`, { member });
  }
  throw new BundleError('bundle.threshold_not_met', `manifest.sig: ${counted.size} trusted signature${counted.size === 1 ? '' : 's'}, the policy needs ${trust.threshold}`, { member });
}

export interface SigningKey {
  keyId: string;
  privateKey: KeyObject;
  raw: Buffer;
}

export function signManifest(manifestBytes: Uint8Array, keys: SigningKey[]): SignatureEntry[] {
  const payload = signingPayload(manifestBytes);
  return keys.map((k) => ({ scheme: SIGNATURE_SCHEME, keyId: k.keyId, publicKey: k.raw.toString('base64'), signature: sign(null, payload, k.privateKey).toString('base64') }));
}
