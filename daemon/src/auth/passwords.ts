// Password hashing with scrypt (node:crypto). Each hash stores its own salt and cost parameters,
// so the defaults can be raised later and old hashes still verify (and report `needsRehash`).
// Format: scrypt$N=<n>,r=<r>,p=<p>$<salt base64url>$<hash base64url>
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
  keyLength: number;
  saltLength: number;
}

/** ~64 MiB and ~0.1 s per hash on the build machines: slow for a guesser, fine for a login. */
export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 16, r: 8, p: 1, keyLength: 32, saltLength: 16 };

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, params.keyLength, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(params.saltLength);
  const key = await derive(password, salt, params);
  return `scrypt$N=${params.N},r=${params.r},p=${params.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export interface ParsedHash {
  params: ScryptParams;
  salt: Buffer;
  key: Buffer;
}

export function parsePasswordHash(stored: string): ParsedHash | null {
  const match = /^scrypt\$N=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/.exec(stored);
  if (!match) return null;
  const [, n, r, p, salt, key] = match;
  const saltBytes = Buffer.from(salt!, 'base64url');
  const keyBytes = Buffer.from(key!, 'base64url');
  return { params: { N: Number(n), r: Number(r), p: Number(p), keyLength: keyBytes.length, saltLength: saltBytes.length }, salt: saltBytes, key: keyBytes };
}

export async function verifyPassword(password: string, stored: string, current: ScryptParams = DEFAULT_SCRYPT): Promise<{ ok: boolean; needsRehash: boolean }> {
  const parsed = parsePasswordHash(stored);
  if (!parsed) return { ok: false, needsRehash: false };
  const key = await derive(password, parsed.salt, parsed.params);
  const ok = key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
  const p = parsed.params;
  const needsRehash = p.N < current.N || p.r < current.r || p.p < current.p || p.keyLength < current.keyLength;
  return { ok, needsRehash };
}

let dummyHash: Promise<string> | undefined;
/** Spends the same time as a real check, so a wrong username is not faster than a wrong password. */
export async function burnPasswordCheck(password: string): Promise<void> {
  dummyHash ??= hashPassword('not-a-real-password-only-for-timing');
  await verifyPassword(password, await dummyHash);
}
