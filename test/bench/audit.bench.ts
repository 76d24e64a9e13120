// Audit bench: a log of 65,000 records (the pen test's size) under the daemon as a child process.
// Measures the Audit page's latency, which now checks the chain from a checkpoint, against a full
// walk of the same log in this process (what every page used to do on the event loop); /healthz
// while four clients load audit pages, against /healthz while the same four load a trivial route
// (the HTTP load alone); and the rows a burst of anonymous failed logins from one address leaves
// (counted into one record per window), against one row each.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { createUser, login } from '../helpers/auth.ts';
import { spawnDaemon, stopDaemon } from '../helpers/daemon.ts';
import { openDatabase } from '../../daemon/src/store/index.ts';
import { AuditLog, FileAuditSigner, verifyAll, type AuditInput } from '../../daemon/src/audit/index.ts';
import { agentStateDir } from '../../daemon/src/access.ts';
import { percentile, QUICK, ratio, type BenchRow } from './lib.ts';

const RECORDS = 65_000;
const FAILED_LOGINS = QUICK ? 300 : 2000;

function seed(home: string): number {
  const db = openDatabase(home);
  try {
    const signer = FileAuditSigner.open(agentStateDir(home), { create: true });
    const log = new AuditLog(db, { signer });
    const actions = ['session.login', 'workload.restart', 'user.create', 'device.identify'];
    for (let b = 0; b < RECORDS / 5000; b += 1) {
      const batch: AuditInput[] = Array.from({ length: 5000 }, (_, i) => ({
        actor: `tech${i % 7}`,
        role: 'operator',
        address: `10.0.${b}.${i % 250}`,
        action: actions[i % actions.length]!,
        target: `plant/line-${i % 40}`,
        outcome: i % 11 === 0 ? 'failure' : 'success',
        detail: { actionId: `${b}-${i}`, message: 'rollout restarted' },
      }));
      log.appendAll(batch, Date.now() - (RECORDS - b * 5000) * 1000);
    }
    const started = performance.now();
    const verdict = verifyAll(log, signer);
    if (!verdict.ok) throw new Error(`seeded log does not verify: ${verdict.problem}`);
    return performance.now() - started;
  } finally {
    db.close();
  }
}

/** A ratio that stays readable when it is tiny (1/1800 rather than 0.00×). */
function smallRatio(value: number, reference: number): string {
  return value > 0 && value / reference < 0.01 ? `1/${Math.round(reference / value)}` : ratio(value, reference);
}

async function timed(url: string, headers: Record<string, string> = {}): Promise<number> {
  const started = performance.now();
  const res = await fetch(url, { headers });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  return performance.now() - started;
}

async function series(n: number, once: () => Promise<number>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i += 1) out.push(await once());
  return out.sort((a, b) => a - b);
}

export default async function auditBench(): Promise<BenchRow[]> {
  const home = mkdtempSync(path.join(tmpdir(), 'outpost-bench-audit-'));
  const fullWalkMs = seed(home);
  await createUser(home, 'auditor', 'admin');
  const daemon = await spawnDaemon({ home, env: { OUTPOST_LOG_LEVEL: 'warn' } });
  const rows: BenchRow[] = [];
  try {
    const session = await login(daemon.url, 'auditor');
    const pageUrl = new URL('/api/v1/audit?limit=100', daemon.url).toString();
    const healthz = new URL('/healthz', daemon.url).toString();
    const firstPage = await timed(pageUrl, session.auth());
    const pages = await series(QUICK ? 10 : 40, () => timed(pageUrl, session.auth()));
    /** /healthz latencies while four loops keep loading `url`. */
    const healthzUnder = async (url: string) => {
      let loading = true;
      const loaders = Array.from({ length: 4 }, async () => {
        while (loading) await timed(url, session.auth());
      });
      const sample = await series(QUICK ? 20 : 100, () => timed(healthz));
      loading = false;
      await Promise.all(loaders);
      return sample;
    };
    const plain = await healthzUnder(new URL('/api/v1/version', daemon.url).toString());
    const busy = await healthzUnder(pageUrl);

    for (let i = 0; i < FAILED_LOGINS; i += 1) {
      await fetch(new URL('/api/v1/session', daemon.url), { method: 'POST', headers: { 'content-type': 'application/json', origin: session.origin }, body: JSON.stringify({ username: `guess${i % 50}`, password: 'wrong password' }) });
    }
    await stopDaemon(daemon); // writes the open counts
    const db = new DatabaseSync(path.join(home, 'outpost.db'), { readOnly: true });
    const loginRows = (db.prepare("SELECT COUNT(*) AS n FROM audit WHERE action = 'session.login' AND actor = 'anonymous'").get() as { n: number }).n;
    db.close();

    const p50 = percentile(pages, 50);
    rows.push(
      { name: `audit page, ${RECORDS.toLocaleString('en')} records (p50)`, value: `${p50.toFixed(1)} ms`, reference: `${fullWalkMs.toFixed(0)} ms full walk`, ratio: smallRatio(p50, fullWalkMs), goal: '≪ 1×', note: `p99 ${percentile(pages, 99).toFixed(1)} ms; first page after start ${firstPage.toFixed(0)} ms (waits for the chunked full walk)` },
      {
        name: '/healthz while 4 clients load audit pages (p99)',
        value: `${percentile(busy, 99).toFixed(1)} ms`,
        reference: `${percentile(plain, 99).toFixed(1)} ms (same load on /api/v1/version)`,
        ratio: ratio(percentile(busy, 99), percentile(plain, 99)),
        // Serving 25 KB pages costs something; what must be gone is a stall the size of a full walk.
        goal: `≪ the full walk (${fullWalkMs.toFixed(0)} ms)`,
        note: `p50 ${percentile(busy, 50).toFixed(1)} vs ${percentile(plain, 50).toFixed(1)} ms`,
      },
      { name: `audit rows for ${FAILED_LOGINS} failed logins, one address`, value: String(loginRows), reference: `${FAILED_LOGINS} (one each)`, ratio: smallRatio(loginRows, FAILED_LOGINS), goal: '1 per address and minute' },
    );
  } finally {
    await stopDaemon(daemon);
    rmSync(home, { recursive: true, force: true });
  }
  return rows;
}
