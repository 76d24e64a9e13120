import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ChainWalker, cleanField, GENESIS_HASH, hashRecord, type AuditEntry, type AuditHead, type AuditRecord } from '../../daemon/src/audit/chain.ts';
import { macMatches, macRecord } from '../../daemon/src/audit/signer.ts';

const KEY = randomBytes(32);
const entry = (i: number): AuditEntry => ({ time: i, actor: `u${i}`, role: 'admin', address: '10.0.0.1', action: 'user.create', target: `t${i}`, outcome: 'success', detail: '{}' });

/** `legacy` unkeyed records (version 1), then keyed ones up to `n`. */
function chain(n: number, legacy = 0, key = KEY): AuditRecord[] {
  const records: AuditRecord[] = [];
  let prev = GENESIS_HASH;
  for (let i = 1; i <= n; i += 1) {
    const e = entry(i);
    const keyed = i > legacy;
    const hash = keyed ? macRecord(key, i, prev, e) : hashRecord(prev, e);
    records.push({ id: i, ...e, prevHash: prev, hash, alg: keyed ? 'hmac-sha256' : 'sha256' });
    prev = hash;
  }
  return records;
}
const headOf = (records: AuditRecord[], keyedFrom = 1): AuditHead => ({ seq: records.at(-1)!.id, hash: records.at(-1)!.hash, keyedFrom });

function walk(records: AuditRecord[], head: AuditHead | null = headOf(records), start = { id: 0, hash: GENESIS_HASH }) {
  const walker = new ChainWalker(start, (r) => macMatches(KEY, r), head);
  for (const r of records) if (!walker.next(r)) break;
  return walker.finish(true);
}

describe('audit chain', () => {
  it('accepts an intact keyed chain and reports its span and end', () => {
    const records = chain(5);
    expect(walk(records)).toEqual({ ok: true, records: 5, first: 1, last: 5, head: records[4]!.hash });
    expect(walk([], null)).toMatchObject({ ok: true, records: 0 });
  });

  it('names the first edited record', () => {
    const records = chain(5);
    records[2] = { ...records[2]!, outcome: 'failure' };
    expect(walk(records)).toMatchObject({ ok: false, badId: 3, problem: expect.stringMatching(/edited/) });
  });

  it('names a record edited and re-hashed without the key, whether as SHA-256 or under another key', () => {
    const asSha = chain(5);
    const edited = { ...asSha[1]!, target: 'someone else', alg: 'sha256' as const };
    edited.hash = hashRecord(edited.prevHash, edited);
    asSha[1] = edited;
    expect(walk(asSha)).toMatchObject({ ok: false, badId: 2, problem: expect.stringMatching(/unkeyed/) });

    const otherKey = chain(5, 0, randomBytes(32));
    expect(walk(otherKey, headOf(otherKey))).toMatchObject({ ok: false, badId: 1, problem: expect.stringMatching(/keyed hash/) });
  });

  it('names the record after a deleted one', () => {
    const records = chain(5);
    records.splice(1, 1);
    expect(walk(records)).toMatchObject({ ok: false, badId: 3, problem: 'records 2–2 are missing' });
  });

  it('catches a cut tail against the head kept outside the database, and accepts a head that lags', () => {
    const records = chain(6);
    expect(walk(records.slice(0, 4), headOf(records))).toMatchObject({ ok: false, badId: 5, problem: expect.stringMatching(/tail was cut/) });
    expect(walk(records, headOf(records.slice(0, 5)))).toMatchObject({ ok: true, last: 6 });
    expect(walk(records, null)).toMatchObject({ ok: false, problem: expect.stringMatching(/head .* is missing/) });
  });

  it('pins unkeyed version 1 records with the first keyed one', () => {
    const records = chain(6, 3);
    expect(walk(records, headOf(records, 4))).toMatchObject({ ok: true, records: 6 });
    // Rewrite record 2 and recompute every unkeyed hash after it: the keyed record 4 still links to the old one.
    let prev = records[0]!.hash;
    for (const r of records.slice(1, 3)) {
      const changed = { ...r, target: r.id === 2 ? 'forged' : r.target, prevHash: prev };
      changed.hash = hashRecord(prev, changed);
      records[r.id - 1] = changed;
      prev = changed.hash;
    }
    expect(walk(records, headOf(records, 4))).toMatchObject({ ok: false, badId: 4, problem: expect.stringMatching(/previous-hash/) });
  });

  it('starts after dropped records from an anchor’s account of them', () => {
    const records = chain(8);
    expect(walk(records.slice(3), headOf(records), { id: 3, hash: records[2]!.hash })).toMatchObject({ ok: true, first: 4, last: 8 });
    expect(walk(records.slice(4), headOf(records), { id: 3, hash: records[2]!.hash })).toMatchObject({ ok: false, badId: 5 });
  });

  it('keeps user-controlled text on one bounded line', () => {
    expect(cleanField('evil\nname\r\u2028x')).toBe('evil\uFFFDname\uFFFD\uFFFDx');
    expect(cleanField('x'.repeat(300), 10)).toBe(`${'x'.repeat(10)}…`);
  });
});
