// Runs INSIDE a loopback-only network namespace (test/integration/release.test.ts starts it):
// install the unpacked release into a tree, start the installed web, log in; start the installed
// web and agent (`serve --with-agent`) on the kube-sim with Outpost's two identities and restart a
// workload through the split (split-flow.ts); install again (state and config kept), uninstall
// (state kept), purge. Prints one JSON report; the test asserts on it.
//   node test/release/install-flow.ts RELEASE_DIR ROOT
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { stopDaemon } from '../helpers/daemon.ts';
import { openNotifySocket, perlAvailable } from '../helpers/notify-socket.ts';
import { addUser, installSh, leftovers, loginOverHttp, startInstalled } from './installed.ts';
import type { InstallFlowReport, ServeReport } from './reports.ts';
import { splitRestart } from './split-flow.ts';

const [release, root] = process.argv.slice(2);
if (!release || !root) throw new Error('usage: install-flow.ts RELEASE_DIR ROOT');
const PASSWORD = 'field technician 7';
const configFile = path.join(root, 'etc/outpost/config.yaml');
const digest = (file: string) => (existsSync(file) ? createHash('sha256').update(readFileSync(file)).digest('hex') : null);

async function serveAndLogin(withNotify: boolean): Promise<ServeReport> {
  const notify = withNotify && perlAvailable() && existsSync('/usr/bin/systemd-notify') ? await openNotifySocket(root!, 'notify.sock') : null;
  const daemon = await startInstalled(root!, { env: notify ? { NOTIFY_SOCKET: notify.path } : {} });
  try {
    const ready = notify ? await notify.waitFor(/READY=1/, 20_000) : null;
    const login = await loginOverHttp(daemon.url, 'tech', PASSWORD);
    const badLogin = await loginOverHttp(daemon.url, 'tech', 'not the password');
    const kiosk = daemon.kioskUrl ? (await fetch(new URL('/kiosk', daemon.kioskUrl), { signal: AbortSignal.timeout(20_000) })).status : null;
    const version = (await (await fetch(new URL('/api/v1/version', daemon.url), { signal: AbortSignal.timeout(20_000) }).catch(() => null))?.text()) ?? null;
    const exit = await stopDaemon(daemon);
    return { url: daemon.url, ready, login, badLoginStatus: badLogin.status, kioskStatus: kiosk, version, exit, stderr: daemon.stderr().slice(-2000) };
  } finally {
    notify?.close();
    await stopDaemon(daemon);
  }
}

const report = {} as InstallFlowReport;
report.install = await installSh(release, ['--root', root]);
report.modes = Object.fromEntries(
  ['var/lib/outpost', 'etc/outpost', 'etc/outpost/config.yaml', 'run/outpost', 'opt/outpost/bin/outpost'].map((p) => {
    const full = path.join(root, p);
    return [p, existsSync(full) ? statMode(full) : null];
  }),
);
report.user = await addUser(root, 'tech', 'operator', PASSWORD);
report.serve1 = await serveAndLogin(true);
report.split = await splitRestart(root, 'tech', PASSWORD);
const configBefore = digest(configFile);
report.reinstall = await installSh(release, ['--root', root]);
report.configKept = configBefore !== null && digest(configFile) === configBefore;
report.serve2 = await serveAndLogin(false);
report.uninstall = await installSh(path.join(root, 'opt/outpost/current'), ['--uninstall', '--root', root]);
report.afterUninstall = leftovers(root);
report.purge = await installSh(release, ['--uninstall', '--purge', '--root', root]);
report.afterPurge = leftovers(root);
report.afterPurgeFolders = { etc: existsSync(path.join(root, 'etc/outpost')), state: existsSync(path.join(root, 'var/lib/outpost')) };
process.stdout.write(`${JSON.stringify(report)}\n`);

function statMode(file: string): { mode: string; uid: number; gid: number } {
  const s = statSync(file);
  return { mode: (s.mode & 0o7777).toString(8).padStart(4, '0'), uid: s.uid, gid: s.gid };
}
