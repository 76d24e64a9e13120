// I/O adapter for signing keys on the connected side: generate a pair into a folder (private key
// mode 0600, never overwritten) and load a private key for `bundle build`.
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BundleError } from './errors.ts';
import { keyIdOf, rawPublicKeyOf, type SigningKey } from './signature-pure.ts';
import { openRegularFile } from './source.ts';

export interface GeneratedKeyPair {
  keyId: string;
  privateKeyPath: string;
  publicKeyPath: string;
}

export async function generateKeyPair(dir: string): Promise<GeneratedKeyPair> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const keyId = keyIdOf(rawPublicKeyOf(publicKey));
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const privateKeyPath = join(dir, `${keyId}.key`);
  const publicKeyPath = join(dir, `${keyId}.pub`);
  await writeFile(privateKeyPath, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
  await writeFile(publicKeyPath, publicKey.export({ format: 'pem', type: 'spki' }), { mode: 0o644, flag: 'wx' });
  return { keyId, privateKeyPath, publicKeyPath };
}

export async function loadSigningKey(path: string): Promise<SigningKey> {
  let pem: string;
  try {
    const { handle, size } = await openRegularFile(path);
    try {
      if (size > 64 * 1024) throw new Error('larger than 64 KiB');
      pem = await handle.readFile({ encoding: 'utf8' });
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw new BundleError('bundle.key_invalid', `${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    const privateKey = createPrivateKey({ key: pem, format: 'pem' });
    const raw = rawPublicKeyOf(createPublicKey(privateKey));
    return { keyId: keyIdOf(raw), privateKey, raw };
  } catch (error) {
    throw new BundleError('bundle.key_invalid', `${path}: not an Ed25519 private key in PEM (${(error as Error).message})`, { cause: error });
  }
}
