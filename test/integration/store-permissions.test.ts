// The state database holds password hashes, session hashes and the audit log: it and its WAL and
// shared-memory files are readable by the daemon's user only, whatever umask started it.
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnDaemon, stopDaemon, tempDir, type SpawnedDaemon } from '../helpers/daemon.ts';
import { DATABASE_FILE } from '../../daemon/src/store/index.ts';

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function modeOf(file: string): string {
  return (statSync(file).mode & 0o777).toString(8).padStart(4, '0');
}

async function serveWithUmask(home: string): Promise<SpawnedDaemon> {
  const daemon = await spawnDaemon({ home, umask: '000' });
  cleanups.push(() => stopDaemon(daemon));
  return daemon;
}

describe('state files', () => {
  it('creates the database, its -wal and its -shm 0600 under umask 000', async () => {
    const home = tempDir();
    cleanups.push(() => rmSync(home, { recursive: true, force: true }));
    const daemon = await serveWithUmask(home);
    // Something written, so the WAL holds frames while the daemon runs.
    await fetch(new URL('/api/v1/session', daemon.url), { method: 'POST', headers: { 'content-type': 'application/json', origin: new URL(daemon.url).origin }, body: '{"username":"x","password":"y"}' });
    const db = path.join(home, DATABASE_FILE);
    for (const file of [db, `${db}-wal`, `${db}-shm`]) {
      expect(existsSync(file), file).toBe(true);
      expect(modeOf(file), path.basename(file)).toBe('0600');
    }
    expect(modeOf(home)).toBe('0700');
  });

  it('narrows a database left group- or world-readable by an older version to 0600', async () => {
    const home = tempDir();
    cleanups.push(() => rmSync(home, { recursive: true, force: true }));
    mkdirSync(home, { recursive: true });
    const db = path.join(home, DATABASE_FILE);
    writeFileSync(db, '', { mode: 0o644 });
    writeFileSync(`${db}-wal`, '', { mode: 0o666 });
    await serveWithUmask(home);
    expect(modeOf(db)).toBe('0600');
    expect(modeOf(`${db}-wal`)).toBe('0600');
    expect(modeOf(`${db}-shm`)).toBe('0600');
  });
});
