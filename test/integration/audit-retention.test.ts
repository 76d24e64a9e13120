// Retention: past its size cap the audit log drops its oldest records and appends an anchor record
// (in the chain) naming them and the last dropped hash, so the log stays bounded on disk and still
// verifies from its new start, while dropping anything more than retention did is caught.
import { rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/daemon.ts';
import { openDatabase, DATABASE_FILE } from '../../daemon/src/store/index.ts';
import { ANCHOR_ACTION, AuditLog, FileAuditSigner, verifyAll, type AuditInput } from '../../daemon/src/audit/index.ts';

const homes: string[] = [];
afterEach(() => homes.splice(0).forEach((h) => rmSync(h, { recursive: true, force: true })));

const CAP = 256 * 1024;
const record = (n: number): AuditInput => ({ actor: 'ops', role: 'operator', address: '10.0.0.4', action: 'workload.restart', target: `ns/app-${n}`, outcome: 'success', detail: { n, pad: 'x'.repeat(900) } });

function filledLog(batches: number) {
  const home = tempDir();
  homes.push(home);
  const db = openDatabase(home);
  const signer = FileAuditSigner.open(path.join(home, 'agent'), { create: true });
  const log = new AuditLog(db, { signer, maxBytes: CAP });
  for (let b = 0; b < batches; b += 1) log.appendAll(Array.from({ length: 50 }, (_, i) => record(b * 50 + i)));
  return { home, db, signer, log };
}

describe('audit retention', () => {
  it('keeps the log under its cap, on disk too, with an anchor that lets it verify from its new start', () => {
    const { home, db, signer, log } = filledLog(60); // ~3.3 MB written against a 256 KiB cap
    try {
      expect(log.bytes()).toBeLessThanOrEqual(CAP);
      const first = log.firstId()!;
      expect(first).toBeGreaterThan(1);
      const anchor = log.newestAnchor()!;
      expect(anchor.action).toBe(ANCHOR_ACTION);
      expect(JSON.parse(anchor.detail)).toMatchObject({ droppedTo: first - 1, lastHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
      expect(verifyAll(log, signer)).toMatchObject({ ok: true, first });
      db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
      expect(statSync(path.join(home, DATABASE_FILE)).size).toBeLessThan(4 * CAP);
    } finally {
      db.close();
    }
  });

  it('catches records dropped beyond what the newest anchor accounts for', () => {
    const { db, signer, log } = filledLog(20);
    try {
      const first = log.firstId()!;
      // An attacker with write access can lift the trigger the way retention does; the anchor still says where the log must start.
      db.exec('UPDATE audit_meta SET pruning = 1');
      db.prepare('DELETE FROM audit WHERE id <= ?').run(first + 3);
      db.exec('UPDATE audit_meta SET pruning = 0');
      expect(verifyAll(log, signer)).toMatchObject({ ok: false, badId: first + 4, problem: expect.stringMatching(/missing/) });
    } finally {
      db.close();
    }
  });

  it('refuses deletes outside retention', () => {
    const { db } = filledLog(1);
    try {
      expect(() => db.prepare('DELETE FROM audit WHERE id = 1').run()).toThrow(/append-only/);
      expect(() => db.prepare("UPDATE audit SET actor = 'x' WHERE id = 1").run()).toThrow(/append-only/);
    } finally {
      db.close();
    }
  });
});
