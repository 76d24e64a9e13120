// A stand-in for systemd's notify socket: a unix datagram socket (Node has none, so Perl, which every
// Debian has, binds it) whose messages arrive here one per datagram. Used to prove that the real
// `systemd-notify` children of the daemon deliver READY=1, STATUS=, WATCHDOG=1 and STOPPING=1.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const RECEIVER = String.raw`
use Socket;
socket(my $s, PF_UNIX, SOCK_DGRAM, 0) or die "socket: $!";
bind($s, pack_sockaddr_un($ARGV[0])) or die "bind: $!";
$| = 1;
print "listening\n";
while (defined(recv($s, my $m, 65536, 0))) { $m =~ s/\n/\\n/g; print "$m\n"; }
`;

export interface NotifySocket {
  path: string;
  /** Every datagram so far, newlines inside a datagram shown as `\n`. */
  readonly messages: string[];
  /** Resolves with the first message matching `pattern`, or rejects after `ms`. */
  waitFor(pattern: RegExp, ms?: number): Promise<string>;
  close(): void;
}

export function perlAvailable(): boolean {
  return ['/usr/bin/perl', '/bin/perl'].some((p) => existsSync(p));
}

export async function openNotifySocket(dir: string, name = 'notify.sock'): Promise<NotifySocket> {
  const socketPath = path.join(dir, name);
  const child: ChildProcess = spawn('perl', ['-e', RECEIVER, socketPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  const messages: string[] = [];
  const waiters = new Set<() => void>();
  let buffer = '';
  let errors = '';
  child.stderr!.on('data', (d: Buffer) => (errors += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`notify receiver did not start: ${errors}`)), 5000);
    child.stdout!.on('data', (d: Buffer) => {
      buffer += d.toString();
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (line === 'listening') {
          clearTimeout(timer);
          resolve();
        } else {
          messages.push(line);
          for (const wake of waiters) wake();
        }
      }
    });
    child.once('exit', (code) => reject(new Error(`notify receiver exited (${code}): ${errors}`)));
  });
  return {
    path: socketPath,
    messages,
    waitFor(pattern, ms = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.find((m) => pattern.test(m));
          if (found === undefined) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no notify message matching ${pattern} within ${ms} ms; got ${JSON.stringify(messages)}`));
        }, ms);
        waiters.add(check);
        check();
      });
    },
    close() {
      child.kill('SIGKILL');
    },
  };
}
