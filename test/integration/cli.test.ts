import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, ROOT, spawnDaemon, stopDaemon, tempDir } from '../helpers/daemon.ts';
import { TestFeedClient } from '../helpers/feed-client.ts';
import { userSession } from '../helpers/auth.ts';

const run = promisify(execFile);
const dirs: string[] = [];
function home(): string {
  const dir = tempDir();
  dirs.push(dir);
  return dir;
}
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

async function outpost(args: string[], env: NodeJS.ProcessEnv = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, ...env }, timeout: 15_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('outpost CLI', () => {
  it('prints its version and help', async () => {
    const version = await outpost(['--version']);
    expect(version.stdout).toMatch(/^outpost \d+\.\d+\.\d+\n$/);
    const help = await outpost(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('serve');
    const serveHelp = await outpost(['serve', '--help']);
    expect(serveHelp.stdout).toContain('--port');
  });

  it('exits non-zero on an unknown command', async () => {
    const result = await outpost(['frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command 'frobnicate'");
  });

  it('refuses to start on a bad config and prints every problem with its path', async () => {
    const dir = home();
    const file = path.join(dir, 'config.yaml');
    writeFileSync(file, 'listen:\n  port: 70000\nfeed:\n  heartbeatMs: 1\nsurprise: true\n');
    const result = await outpost(['serve', '--config', file], { OUTPOST_LOG_LEVEL: 'chatty' });
    expect(result.code).toBe(2);
    for (const p of ['listen.port', 'feed.heartbeatMs', 'surprise', 'log.level']) expect(result.stderr).toContain(`${p}:`);
  });

  it('shuts down on SIGTERM: closes feed sockets with a reason and exits 0 within 5 s', async () => {
    const dir = home();
    const daemon = await spawnDaemon({ home: dir });
    const session = await userSession(dir, daemon.url, 'sam', 'viewer');
    const client = await TestFeedClient.open(daemon.url, session.feed());
    const started = Date.now();
    const code = await stopDaemon(daemon);
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
    const closed = await client.waitClosed();
    expect(closed).toEqual({ code: 1001, reason: 'server shutting down' });
    const logs = daemon.stdout().trim().split('\n').map((line) => JSON.parse(line) as { msg: string; module?: string });
    expect(logs.map((l) => l.msg)).toEqual(expect.arrayContaining(['outpost listening', 'shutting down', 'stopped']));
  });

  it('listens on loopback only by default', async () => {
    const daemon = await spawnDaemon({ home: home() });
    try {
      expect(new URL(daemon.url).hostname).toBe('127.0.0.1');
    } finally {
      await stopDaemon(daemon);
    }
  });
});
