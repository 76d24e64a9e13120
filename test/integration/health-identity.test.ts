// Identity comes from files and syscalls only: read from a tree, and (under strace) without starting
// a process or sending anything anywhere — `hostname -f` used to ask DNS and block the event loop.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { fileIdentity } from '../../daemon/src/health/identity-adapter.ts';
import { ROOT } from '../helpers/daemon.ts';
import { commandAvailable } from '../release/netns.ts';

const run = promisify(execFile);
const tree = mkdtempSync(path.join(tmpdir(), 'outpost-identity-'));
afterAll(() => rmSync(tree, { recursive: true, force: true }));

function write(relative: string, text: string): void {
  mkdirSync(path.dirname(path.join(tree, relative)), { recursive: true });
  writeFileSync(path.join(tree, relative), text);
}

describe('identity from files', () => {
  it('reads os-release, DMI and machine-id under the root, and uname for hostname and kernel', async () => {
    write('etc/os-release', 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\n');
    write('sys/class/dmi/id/sys_vendor', 'Advantech\n');
    write('sys/class/dmi/id/product_name', 'UNO-2484G\n');
    write('sys/class/dmi/id/product_serial', 'To be filled by O.E.M.\n');
    write('etc/machine-id', '5d2ac3f7a4b94f1c9e0e1c3b2a190a55\n');
    const identity = await fileIdentity({ root: tree })();
    expect(identity).toEqual({
      hostname: os.hostname(),
      os: 'Debian GNU/Linux 12 (bookworm)',
      kernel: os.release(),
      arch: os.arch(),
      model: 'Advantech UNO-2484G',
      serial: '5d2ac3f7a4b94f1c9e0e1c3b2a190a55',
    });
  });

  it('falls back to /usr/lib/os-release and reports unknowns as null on a bare tree', async () => {
    const bare = mkdtempSync(path.join(tmpdir(), 'outpost-identity-bare-'));
    try {
      expect(await fileIdentity({ root: bare })()).toMatchObject({ os: `${os.type()} ${os.release()}`, model: null, serial: null });
      mkdirSync(path.join(bare, 'usr/lib'), { recursive: true });
      writeFileSync(path.join(bare, 'usr/lib/os-release'), 'NAME=Alpine\nVERSION_ID=3.20\n');
      expect((await fileIdentity({ root: bare })()).os).toBe('Alpine 3.20');
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });

  it.skipIf(!commandAvailable('strace'))('on the real machine starts no process and sends nothing (strace)', async () => {
    const log = path.join(tree, 'strace.log');
    const script = `import { fileIdentity } from ${JSON.stringify(path.join(ROOT, 'daemon/src/health/identity-adapter.ts'))};\nconsole.log(JSON.stringify(await fileIdentity()()));`;
    const { stdout } = await run('strace', ['-f', '-qq', '-o', log, '-e', 'trace=execve,connect,sendto,sendmsg,sendmmsg', process.execPath, '--input-type=module', '-e', script], { timeout: 20_000 });
    const identity = JSON.parse(stdout) as { hostname: string; os: string };
    expect(identity.hostname).toBe(os.hostname());
    const calls = readFileSync(log, 'utf8').split('\n').filter((l) => /\b(execve|connect|sendto|sendmsg|sendmmsg)\(/.test(l));
    // The one execve is strace starting node itself.
    expect(calls.filter((l) => l.includes('execve('))).toHaveLength(1);
    expect(calls.filter((l) => !l.includes('execve('))).toEqual([]);
  });
});
