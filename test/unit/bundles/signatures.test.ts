import { describe, expect, it } from 'vitest';
import { BundleError } from '../../../daemon/src/bundles/errors.ts';
import { evaluateSignatures, keyIdOf, parseSignatures, serializeSignatures, signingPayload, signManifest, type SigningKey } from '../../../daemon/src/bundles/signature-pure.ts';
import { buildTrustPolicy, parseTrustedKey, parseTrustPolicyFile } from '../../../daemon/src/bundles/trust-policy-pure.ts';
import { KEY_A, KEY_B, KEY_REVOKED, KEY_UNTRUSTED, publicPem } from '../../fixtures/bundle-forge/test-keys.ts';

const manifest = Buffer.from('{"name": "x"}\n');
const trust = (threshold = 1, revoked: SigningKey[] = [KEY_REVOKED]) =>
  buildTrustPolicy([KEY_A, KEY_B, KEY_REVOKED].map((k) => parseTrustedKey(publicPem(k), k.keyId)), { threshold, revoked: revoked.map((k) => k.keyId) });
const entries = (keys: SigningKey[]) => parseSignatures(serializeSignatures(signManifest(manifest, keys)));
function codeOf(run: () => unknown): string {
  try {
    run();
    return 'ok';
  } catch (error) {
    if (error instanceof BundleError) return error.code;
    throw error;
  }
}

describe('signatures', () => {
  it('signs the context string followed by the exact manifest bytes', () => {
    expect(signingPayload(manifest).toString()).toBe(`outpost bundle manifest v1\n${manifest.toString()}`);
  });

  it('derives the key id from the raw public key (16 bytes of sha256, hex)', () => {
    expect(keyIdOf(KEY_A.raw)).toBe(KEY_A.keyId);
    expect(KEY_A.keyId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('counts distinct trusted keys against the threshold', () => {
    expect(evaluateSignatures(entries([KEY_A, KEY_B]), manifest, trust(2)).sort()).toEqual([KEY_A.keyId, KEY_B.keyId].sort());
    expect(codeOf(() => evaluateSignatures(entries([KEY_A, KEY_A]), manifest, trust(2)))).toBe('bundle.threshold_not_met');
  });

  it('ignores unknown keys when trusted ones suffice, and names them when none do', () => {
    expect(evaluateSignatures(entries([KEY_A, KEY_UNTRUSTED]), manifest, trust())).toEqual([KEY_A.keyId]);
    expect(codeOf(() => evaluateSignatures(entries([KEY_UNTRUSTED]), manifest, trust()))).toBe('bundle.untrusted_key');
  });

  it('refuses any signature by a revoked key', () => {
    expect(codeOf(() => evaluateSignatures(entries([KEY_A, KEY_B, KEY_REVOKED]), manifest, trust()))).toBe('bundle.revoked_key');
  });

  it('refuses a signature over other bytes', () => {
    expect(codeOf(() => evaluateSignatures(entries([KEY_A]), Buffer.from('{"name": "y"}\n'), trust()))).toBe('bundle.signature_invalid');
  });

  it('refuses a trust policy no bundle could meet', () => {
    expect(codeOf(() => trust(3))).toBe('bundle.trust_invalid');
    expect(codeOf(() => trust(1, [KEY_A, KEY_B, KEY_REVOKED]))).toBe('bundle.trust_invalid');
    expect(codeOf(() => parseTrustPolicyFile('{"threshold": 1, "threshold": 2}', 'policy.json'))).toBe('bundle.trust_invalid');
    expect(codeOf(() => parseTrustPolicyFile('{"revoked": ["nope"]}', 'policy.json'))).toBe('bundle.trust_invalid');
    expect(codeOf(() => parseTrustedKey('not a key', 'keys/x.pub'))).toBe('bundle.trust_invalid');
  });
});
