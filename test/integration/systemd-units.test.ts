// What the unit files promise, read from the files themselves (systemd-analyze verify and security
// run on an installed tree in release.test.ts), and shellcheck on the shell the release ships.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/daemon.ts';
import { commandAvailable } from '../release/netns.ts';

const run = promisify(execFile);
const unit = (name: string) => readFileSync(path.join(ROOT, 'systemd', name), 'utf8');
const UNITS = ['outpost-web.service', 'outpost-agent.socket', 'outpost-agent.service', 'outpost-kiosk.service'];

describe('systemd units', () => {
  it('never wait for network-online.target: the LocalUI and the kiosk come up with the cable unplugged', () => {
    for (const name of UNITS) expect(unit(name), name).not.toMatch(/^(After|Wants|Requires)=.*network-online\.target/m);
  });

  it('outpost-web runs unprivileged from the installed launcher, with readiness and a watchdog', () => {
    const web = unit('outpost-web.service');
    const promised = ['User=outpost', 'Type=notify', 'NotifyAccess=all', 'WatchdogSec=30s', 'ExecStart=/opt/outpost/bin/outpost serve', 'NoNewPrivileges=yes'];
    const sandbox = ['CapabilityBoundingSet=', 'ProtectSystem=strict', 'PrivateMounts=yes', 'ProtectProc=invisible', 'PrivateUsers=yes'];
    for (const line of [...promised, ...sandbox]) {
      expect(web, line).toMatch(new RegExp(`^${line.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`, 'm'));
    }
  });

  it('the agent is socket-activated on a socket only root and the outpost group can use', () => {
    const socket = unit('outpost-agent.socket');
    for (const line of ['ListenStream=/run/outpost/agent.sock', 'SocketUser=root', 'SocketGroup=outpost', 'SocketMode=0660']) expect(socket).toContain(`\n${line}\n`);
    const agent = unit('outpost-agent.service');
    expect(agent).toMatch(/^ExecStart=\/opt\/outpost\/bin\/outpost agent$/m);
    expect(agent).toMatch(/^Requires=outpost-agent\.socket$/m);
    expect(agent).toMatch(/^CapabilityBoundingSet=CAP_DAC_OVERRIDE CAP_CHOWN CAP_FOWNER$/m);
    expect(agent).not.toMatch(/^\[Install\]/m);
    // Both sides name the same socket: the web connects to it, the agent checks the file systemd made.
    const web = unit('outpost-web.service');
    for (const text of [web, agent]) expect(text).toMatch(/^Environment=OUTPOST_AGENT_SOCKET=\/run\/outpost\/agent\.sock$/m);
    expect(web).toMatch(/^Environment=OUTPOST_AGENT_MODE=socket$/m);
    expect(web).toMatch(/^Wants=outpost-agent\.socket$/m);
    expect(agent).toMatch(/^ReadWritePaths=\/var\/lib\/outpost \/run\/outpost$/m);
  });

  it('the kiosk runs cage and Chromium as its own user on loopback only, restarting forever', () => {
    const kiosk = unit('outpost-kiosk.service');
    const promised = ['User=outpost-kiosk', 'Restart=always', 'StartLimitIntervalSec=0', 'IPAddressDeny=any', 'IPAddressAllow=localhost'];
    const url = ['Environment=OUTPOST_KIOSK_URL=http://127.0.0.1:7481/kiosk', 'EnvironmentFile=-/etc/outpost/kiosk.env'];
    for (const line of [...promised, ...url]) {
      expect(kiosk).toContain(`\n${line}\n`);
    }
    expect(kiosk).toMatch(/^ExecStart=\/usr\/bin\/cage .*-- \/opt\/outpost\/current\/libexec\/outpost-kiosk-browser$/m);
  });

  it('Chromium on the kiosk: no background networking, component updates, crash upload, translate, first run or sync', () => {
    const flags = readFileSync(path.join(ROOT, 'scripts/release/chromium.flags'), 'utf8').split('\n');
    for (const flag of ['--disable-background-networking', '--disable-component-update', '--disable-breakpad', '--no-first-run', '--disable-sync', '--kiosk']) expect(flags).toContain(flag);
    expect(flags.find((f) => f.startsWith('--disable-features='))).toMatch(/[=,]Translate(,|$)/);
    expect(flags).toContain('--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost');
  });

  it.skipIf(!commandAvailable('shellcheck'))('install.sh and the shipped launchers pass shellcheck (POSIX sh)', async () => {
    const scripts = ['scripts/install.sh', 'scripts/release/outpost', 'scripts/release/outpost-kiosk-browser'].map((f) => path.join(ROOT, f));
    const result = await run('shellcheck', ['-s', 'sh', ...scripts]).then(
      () => '',
      (e: { stdout: string }) => e.stdout,
    );
    expect(result).toBe('');
  });
});
