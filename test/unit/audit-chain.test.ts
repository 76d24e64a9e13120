import { describe, expect, it } from 'vitest';
import { cleanField, GENESIS_HASH, hashRecord, verifyChain, type AuditEntry, type AuditRecord } from '../../daemon/src/audit/chain.ts';

function chain(n: number): AuditRecord[] {
  const records: AuditRecord[] = [];
  let prev = GENESIS_HASH;
  for (let i = 1; i <= n; i += 1) {
    const entry: AuditEntry = { time: i, actor: `u${i}`, role: 'admin', address: '10.0.0.1', action: 'user.create', target: `t${i}`, outcome: 'success', detail: '{}' };
    const hash = hashRecord(prev, entry);
    records.push({ id: i, ...entry, prevHash: prev, hash });
    prev = hash;
  }
  return records;
}

describe('audit hash chain', () => {
  it('accepts an intact chain and reports its head', () => {
    const records = chain(5);
    expect(verifyChain(records)).toEqual({ ok: true, records: 5, head: records[4]!.hash });
    expect(verifyChain([])).toEqual({ ok: true, records: 0, head: GENESIS_HASH });
  });

  it('names the first edited record', () => {
    const records = chain(5);
    records[2] = { ...records[2]!, outcome: 'failure' };
    expect(verifyChain(records)).toMatchObject({ ok: false, badId: 3, problem: expect.stringMatching(/edited/) });
  });

  it('names the record after a deleted one', () => {
    const records = chain(5);
    records.splice(1, 1);
    expect(verifyChain(records)).toMatchObject({ ok: false, badId: 3, problem: 'record 2 is missing' });
  });

  it('catches a record re-hashed after an edit by the next record’s link', () => {
    const records = chain(4);
    const edited = { ...records[1]!, target: 'someone else' };
    edited.hash = hashRecord(edited.prevHash, edited);
    records[1] = edited;
    expect(verifyChain(records)).toMatchObject({ ok: false, badId: 3 });
  });

  it('keeps user-controlled text on one bounded line', () => {
    expect(cleanField('evil\nname\r\u2028x')).toBe('evil\uFFFDname\uFFFD\uFFFDx');
    expect(cleanField('x'.repeat(300), 10)).toBe(`${'x'.repeat(10)}…`);
  });
});
