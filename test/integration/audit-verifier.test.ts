// The Audit page's chain check costs what was appended since its checkpoint, not the whole log: a
// full walk (chunked, at start and hourly) sets the checkpoint; each page checks only newer records
// and the head kept outside the database.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/daemon.ts';
import { openDatabase } from '../../daemon/src/store/index.ts';
import { AuditLog, AuditVerifier, FileAuditSigner, verifyAll, type AuditSigner } from '../../daemon/src/audit/index.ts';

const homes: string[] = [];
afterEach(() => homes.splice(0).forEach((h) => rmSync(h, { recursive: true, force: true })));

describe('audit verification from a checkpoint', () => {
  it('checks every record once in the full walk, then only the new ones per page', async () => {
    const home = tempDir();
    homes.push(home);
    const db = openDatabase(home);
    const signer = FileAuditSigner.open(path.join(home, 'agent'), { create: true });
    const log = new AuditLog(db, { signer });
    const input = (n: number) => ({ actor: 'ops', role: 'operator', address: '10.0.0.4', action: 'workload.restart', target: `ns/app-${n}`, outcome: 'success' as const });
    for (let b = 0; b < 10; b += 1) log.appendAll(Array.from({ length: 250 }, (_, i) => input(b * 250 + i)));
    let checks = 0;
    const counting: AuditSigner = { keyId: signer.keyId, sign: (...a) => signer.sign(...a), head: () => signer.head(), advance: (...a) => signer.advance(...a), verify: (r) => (checks++, signer.verify(r)) };
    const verifier = new AuditVerifier(log, counting);
    try {
      expect(await verifier.status()).toMatchObject({ ok: true, checkedThrough: 2500, records: 2500 });
      expect(checks).toBe(2500);
      checks = 0;
      expect(await verifier.status()).toMatchObject({ ok: true, checkedThrough: 2500 });
      expect(checks).toBe(0);
      log.appendAll([input(1), input(2), input(3)]);
      expect(await verifier.status()).toMatchObject({ ok: true, checkedThrough: 2503 });
      expect(checks).toBe(3);
    } finally {
      db.close();
    }
  });
});

describe('audit verification of a log that was empty at the last full walk', () => {
  it('moves its checkpoint on from the genesis', async () => {
    const home = tempDir();
    homes.push(home);
    const db = openDatabase(home);
    const signer = FileAuditSigner.open(path.join(home, 'agent'), { create: true });
    const log = new AuditLog(db, { signer });
    const verifier = new AuditVerifier(log, signer);
    try {
      expect(await verifier.status()).toMatchObject({ ok: true, checkedThrough: 0 });
      log.append({ actor: 'root', role: 'admin', address: '127.0.0.1', action: 'setup.first_admin', outcome: 'success' });
      expect(await verifier.status()).toMatchObject({ ok: true, checkedThrough: 1 });
    } finally {
      db.close();
    }
  });
});

describe('an audit log cut behind its head', () => {
  it('goes on after the head, so the missing records stay visible to verification', async () => {
    const home = tempDir();
    homes.push(home);
    const db = openDatabase(home);
    const signer = FileAuditSigner.open(path.join(home, 'agent'), { create: true });
    const log = new AuditLog(db, { signer });
    const input = { actor: 'root', role: 'admin', address: '127.0.0.1', action: 'user.create', outcome: 'success' as const };
    try {
      log.appendAll([input, input, input, input]);
      db.exec('UPDATE audit_meta SET pruning = 1');
      db.exec('DELETE FROM audit WHERE id > 2');
      db.exec('UPDATE audit_meta SET pruning = 0');
      expect(log.append(input).id).toBe(5);
      expect(verifyAll(log, signer)).toMatchObject({ ok: false, badId: 5, problem: 'records 3–4 are missing' });
    } finally {
      db.close();
    }
  });
});
