// Helpers for release tests: run install.sh, start the INSTALLED daemon from a --root tree (its own
// launcher, its own Node, its compiled JavaScript), make a user with the installed CLI, log in.
import { execFile, type spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { spawnDaemon, type SpawnedDaemon } from '../helpers/daemon.ts';

export interface CommandResult {
  code: number | null;
  out: string;
}

/** Runs a command to its end with a deadline; stdout and stderr together. */
export interface CommandOptions {
  timeoutMs?: number;
  input?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export function runCommand(argv: string[], options: CommandOptions = {}): Promise<CommandResult> {
  const execOptions = { timeout: options.timeoutMs ?? 60_000, maxBuffer: 8 << 20, env: options.env ?? process.env, cwd: options.cwd };
  return new Promise((resolve) => {
    const child = execFile(argv[0]!, argv.slice(1), execOptions, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, out: `${stdout}${stderr}` });
    });
    if (options.input !== undefined) child.stdin!.end(options.input);
    else child.stdin!.end();
  });
}

export function installSh(release: string, args: string[], env?: NodeJS.ProcessEnv): Promise<CommandResult> {
  return runCommand(['sh', path.join(release, 'install.sh'), ...args], { timeoutMs: 120_000, env });
}

/** The installed `outpost` command of a tree. */
export function outpostCommand(root: string): string {
  return path.join(root, 'opt/outpost/bin/outpost');
}

/** `outpost serve` from the tree, on loopback ports chosen by the kernel, with the tree's config and state. */
export function startInstalled(root: string, options: { env?: NodeJS.ProcessEnv; args?: string[] } = {}): Promise<SpawnedDaemon> {
  return spawnDaemon({
    command: [outpostCommand(root)],
    config: path.join(root, 'etc/outpost/config.yaml'),
    home: path.join(root, 'var/lib/outpost'),
    args: ['--listen', '127.0.0.1', ...(options.args ?? [])],
    // The installed config names /run/outpost/agent.sock (a device's); a tree keeps its socket inside.
    env: { OUTPOST_AGENT_SOCKET: path.join(root, 'var/lib/outpost/agent.sock'), ...options.env },
    timeoutMs: 60_000,
  });
}

export async function addUser(root: string, name: string, role: string, password: string): Promise<CommandResult> {
  const home = path.join(root, 'var/lib/outpost');
  const argv = [outpostCommand(root), 'user', 'add', name, '--role', role, '--password-stdin', '--home', home, '--config', 'none'];
  return runCommand(argv, { input: `${password}\n`, timeoutMs: 60_000 });
}

export interface LoginResult {
  status: number;
  /** GET /api/v1/session with the new cookie and the session's token. */
  session: { authenticated: boolean; user: string | null; role: string | null } | null;
}

export async function loginOverHttp(url: string, username: string, password: string): Promise<LoginResult> {
  const origin = new URL(url).origin;
  const res = await fetch(new URL('/api/v1/session', url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin },
    body: JSON.stringify({ username, password }),
    signal: AbortSignal.timeout(20_000),
  });
  if (res.status !== 200) return { status: res.status, session: null };
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  // A cookie alone is worth nothing: the session's token from the login answer goes with it.
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  const who = await fetch(new URL('/api/v1/session', url), { headers: { cookie, 'x-csrf-token': csrfToken }, signal: AbortSignal.timeout(20_000) });
  return { status: res.status, session: (await who.json()) as LoginResult['session'] };
}

/** What an uninstall left in the tree. */
export function leftovers(root: string): { opt: boolean; units: string[]; wants: string[]; config: boolean; state: boolean; accounts: string[] } {
  const passwd = existsSync(path.join(root, 'etc/passwd')) ? readFileSync(path.join(root, 'etc/passwd'), 'utf8') : '';
  const unitDir = path.join(root, 'usr/local/lib/systemd/system');
  const list = (dir: string) => (existsSync(dir) ? readdirNames(dir) : []);
  return {
    opt: existsSync(path.join(root, 'opt/outpost')),
    units: list(unitDir).filter((f) => f.startsWith('outpost')),
    wants: ['multi-user.target.wants', 'sockets.target.wants']
      .flatMap((w) => list(path.join(root, 'etc/systemd/system', w)))
      .filter((f) => f.startsWith('outpost')),
    config: existsSync(path.join(root, 'etc/outpost/config.yaml')),
    state: existsSync(path.join(root, 'var/lib/outpost/outpost.db')),
    accounts: passwd
      .split('\n')
      .map((l) => l.split(':')[0]!)
      .filter((n) => n.startsWith('outpost')),
  };
}

function readdirNames(dir: string): string[] {
  return readdirSync(dir).sort();
}

/** Stops a child with SIGTERM and waits (escalating to SIGKILL after `graceMs`). */
export async function stopChild(child: ReturnType<typeof spawn>, graceMs = 6000): Promise<number | string> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode ?? child.signalCode!;
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  const code = await exited;
  clearTimeout(timer);
  return code;
}
