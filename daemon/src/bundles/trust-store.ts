// I/O adapter: loads the trust folder (layout in docs/bundle-format.md):
//   TRUST/keys/*.pub   Ed25519 public keys, PEM (SPKI), as `outpost bundle keygen` writes them
//   TRUST/policy.json  optional {"threshold": N, "revoked": ["<key id>", ...]}
// Only regular files are read, each bounded in size.
import { constants } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BundleError } from './errors.ts';
import type { TrustedKey, TrustPolicy } from './signature-pure.ts';
import { buildTrustPolicy, parseTrustedKey, parseTrustPolicyFile, TRUST_FILE_MAX_BYTES, TRUST_MAX_KEYS } from './trust-policy-pure.ts';

async function readSmallRegularFile(path: string): Promise<string | null> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new BundleError('bundle.trust_invalid', `${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new BundleError('bundle.trust_invalid', `${path} is not a regular file`);
    if (stats.size > TRUST_FILE_MAX_BYTES) throw new BundleError('bundle.trust_invalid', `${path} is larger than ${TRUST_FILE_MAX_BYTES} bytes`);
    return await handle.readFile({ encoding: 'utf8' });
  } finally {
    await handle.close();
  }
}

export async function loadTrust(dir: string): Promise<TrustPolicy> {
  const keysDir = join(dir, 'keys');
  let names: string[];
  try {
    names = (await readdir(keysDir)).filter((n) => n.endsWith('.pub')).sort();
  } catch (error) {
    throw new BundleError('bundle.trust_invalid', `cannot read ${keysDir}: ${(error as Error).message}`, { cause: error });
  }
  if (names.length > TRUST_MAX_KEYS) throw new BundleError('bundle.trust_invalid', `${keysDir} holds more than ${TRUST_MAX_KEYS} keys`);
  const keys: TrustedKey[] = [];
  for (const name of names) {
    const text = await readSmallRegularFile(join(keysDir, name));
    if (text !== null) keys.push(parseTrustedKey(text, `keys/${name}`));
  }
  const policyText = await readSmallRegularFile(join(dir, 'policy.json'));
  const policy = policyText === null ? { threshold: 1, revoked: [] } : parseTrustPolicyFile(policyText, 'policy.json');
  return buildTrustPolicy(keys, policy);
}
