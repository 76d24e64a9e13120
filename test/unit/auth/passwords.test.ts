import { describe, expect, it } from 'vitest';
import { DEFAULT_SCRYPT, hashPassword, parsePasswordHash, verifyPassword } from '../../../daemon/src/auth/passwords.ts';

const FAST = { N: 1024, r: 8, p: 1, keyLength: 32, saltLength: 16 };

describe('password hashing', () => {
  it('uses scrypt with at least N=2^16, r=8 and a 16-byte salt by default', async () => {
    expect(DEFAULT_SCRYPT.N).toBeGreaterThanOrEqual(2 ** 16);
    expect(DEFAULT_SCRYPT.r).toBeGreaterThanOrEqual(8);
    const stored = await hashPassword('correct horse battery');
    const parsed = parsePasswordHash(stored);
    expect(parsed?.params).toMatchObject({ N: DEFAULT_SCRYPT.N, r: 8, p: 1, keyLength: 32, saltLength: 16 });
    expect(stored).toMatch(/^scrypt\$N=65536,r=8,p=1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
  });

  it('stores a fresh salt per hash', async () => {
    expect(await hashPassword('same', FAST)).not.toBe(await hashPassword('same', FAST));
  });

  it('verifies the right password and rejects a wrong one or a malformed hash', async () => {
    const stored = await hashPassword('correct horse battery', FAST);
    expect((await verifyPassword('correct horse battery', stored, FAST)).ok).toBe(true);
    expect((await verifyPassword('correct horse batterY', stored, FAST)).ok).toBe(false);
    expect((await verifyPassword('x', 'plaintext', FAST)).ok).toBe(false);
  });

  it('treats canonically equivalent Unicode passwords as the same', async () => {
    const stored = await hashPassword('caf\u00e9-password', FAST);
    expect((await verifyPassword('cafe\u0301-password', stored, FAST)).ok).toBe(true);
  });

  it('verifies hashes made with older, weaker parameters and asks for a rehash', async () => {
    const old = await hashPassword('correct horse battery', FAST);
    expect(await verifyPassword('correct horse battery', old, { ...FAST, N: 2048 })).toEqual({ ok: true, needsRehash: true });
    expect(await verifyPassword('correct horse battery', old, FAST)).toEqual({ ok: true, needsRehash: false });
  });
});
