// Pure: reads `strace -f -yy -e trace=connect,sendto,sendmsg,sendmmsg,execve,clone,clone3,fork,vfork`
// output and sorts every address a traced process tried to reach: loopback, anything else, and
// anything that is a DNS query (port 53, a resolv.conf nameserver, nscd's socket, systemd-resolved's
// varlink socket). An attempt counts whatever its result: in a loopback-only namespace every outbound
// attempt fails, and still counts. Each attempt names its program (execve and clone tracked per thread)
// and, with -yy, its socket's protocol, so a UDP connect() — a route lookup that sends no packet — is
// told apart from a TCP connection attempt or a datagram.

export interface Attempt {
  /** The thread strace names. */
  pid: number;
  /** The program of that thread's process (`node`, `chromium --type=utility`, …), when execve was traced. */
  program: string;
  /** From -yy: TCP, TCPv6, UDP, UDPv6, UNIX, NETLINK…; empty without it. */
  protocol: string;
  syscall: string;
  family: 'inet' | 'inet6' | 'unix' | 'netlink' | 'other';
  address?: string;
  port?: number;
  /** unix socket path (`@name` for the abstract namespace). */
  path?: string;
  /** `0`, `-1 ENETUNREACH (…)`; empty when strace split the call. */
  result: string;
  line: string;
}

export interface Analysis {
  attempts: Attempt[];
  loopback: Attempt[];
  /** inet/inet6 attempts to anything but 127.0.0.0/8, ::1 or ::ffff:127.x, except UDP route lookups. */
  nonLoopback: Attempt[];
  /** connect() of a UDP socket to a non-loopback address: the kernel looks up a route, no packet is sent. */
  udpRouteLookups: Attempt[];
  dns: Attempt[];
  /** Every unix socket path tried, with how often (for the report). */
  unixPaths: Map<string, number>;
}

const SYSCALL = /^(?:\[pid\s+)?(\d+)\]?\s+(connect|sendto|sendmsg|sendmmsg)\((\d+)(?:<([A-Za-z0-9-]+):[^>]*>)?(.*)$/;
const EXECVE = /^(\d+)\s+execve\("([^"]+)", \[(.*?)\](?:, 0x[0-9a-f]+ \/\*.*?\*\/)?\)?/;
const CLONE = /^(\d+)\s+(clone3?|v?fork)\((.*)$/;
const CLONE_RESUMED = /^(\d+)\s+<\.\.\. (clone3?|v?fork) resumed>.*= (\d+)/;
const INET = /sa_family=AF_INET, sin_port=htons\((\d+)\), sin_addr=inet_addr\("([^"]+)"\)/g;
const INET6 = /sa_family=AF_INET6, sin6_port=htons\((\d+)\),[^}]*?inet_pton\(AF_INET6, "([^"]+)"/g;
const UNIX = /sa_family=AF_UNIX, sun_path=(@?)"((?:[^"\\]|\\.)*)"/g;
const FAMILY = /sa_family=(AF_[A-Z0-9]+)/g;

const DNS_UNIX_PATHS = [/^\/(var\/)?run\/nscd\/socket$/, /^\/run\/systemd\/resolve\/io\.systemd\.Resolve/];

export function isLoopback(address: string): boolean {
  if (/^127\.\d+\.\d+\.\d+$/.test(address)) return true;
  const lower = address.toLowerCase();
  return lower === '::1' || /^::ffff:127\.\d+\.\d+\.\d+$/.test(lower);
}

/** `nameserver` addresses of a resolv.conf text. */
export function nameservers(resolvConf: string): string[] {
  return resolvConf
    .split('\n')
    .map((l) => /^\s*nameserver\s+([0-9a-fA-F:.]+)(%\S+)?\s*$/.exec(l)?.[1])
    .filter((a): a is string => Boolean(a));
}

function resultOf(rest: string): string {
  if (rest.includes('<unfinished ...>')) return '';
  const at = rest.lastIndexOf(') = ');
  return at >= 0 ? rest.slice(at + 4).trim() : '';
}

/** Which program each thread belongs to, from execve and clone lines (threads share their process's). */
export class ProgramMap {
  private readonly processOf = new Map<number, number>();
  private readonly programOf = new Map<number, string>();
  private readonly pending = new Map<number, boolean>();

  feed(line: string): void {
    const exec = EXECVE.exec(line);
    if (exec) {
      const pid = Number(exec[1]);
      const argv = [...exec[3]!.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!);
      const type = argv.find((a) => a.startsWith('--type='));
      const previous = this.program(pid);
      const name = exec[2] === '/proc/self/exe' ? previous.split(' ')[0]! : exec[2]!.slice(exec[2]!.lastIndexOf('/') + 1);
      this.processOf.set(pid, pid);
      if (!line.includes('= -1')) this.programOf.set(pid, type ? `${name} ${type}` : name);
      return;
    }
    const clone = CLONE.exec(line);
    if (clone) {
      const thread = clone[3]!.includes('CLONE_THREAD');
      const result = /\) = (\d+)\s*$/.exec(line);
      if (result) this.link(Number(clone[1]), Number(result[1]), thread);
      else this.pending.set(Number(clone[1]), thread);
      return;
    }
    const resumed = CLONE_RESUMED.exec(line);
    if (resumed) {
      const parent = Number(resumed[1]);
      this.link(parent, Number(resumed[3]), this.pending.get(parent) ?? false);
      this.pending.delete(parent);
    }
  }

  private link(parent: number, child: number, thread: boolean): void {
    const parentProcess = this.processOf.get(parent) ?? parent;
    if (thread) this.processOf.set(child, parentProcess);
    else {
      this.processOf.set(child, child);
      // A vfork child may execve before strace prints the parent's result: keep what execve set.
      if (!this.programOf.has(child)) this.programOf.set(child, this.programOf.get(parentProcess) ?? '?');
    }
  }

  program(tid: number): string {
    return this.programOf.get(this.processOf.get(tid) ?? tid) ?? '?';
  }
}

export function parseAttempts(text: string): Attempt[] {
  const attempts: Attempt[] = [];
  const programs = new ProgramMap();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    programs.feed(line);
    const match = SYSCALL.exec(line);
    if (!match) continue;
    const pid = Number(match[1]);
    const syscall = match[2]!;
    const rest = match[5]!;
    const base = { pid, program: programs.program(pid), protocol: match[4] ?? '', syscall, result: resultOf(rest), line: raw };
    let found = false;
    for (const m of rest.matchAll(INET)) {
      attempts.push({ ...base, family: 'inet', port: Number(m[1]), address: m[2]! });
      found = true;
    }
    for (const m of rest.matchAll(INET6)) {
      attempts.push({ ...base, family: 'inet6', port: Number(m[1]), address: m[2]! });
      found = true;
    }
    for (const m of rest.matchAll(UNIX)) {
      attempts.push({ ...base, family: 'unix', path: `${m[1]}${m[2]!}` });
      found = true;
    }
    if (found) continue;
    for (const m of rest.matchAll(FAMILY)) {
      const family = m[1] === 'AF_NETLINK' ? 'netlink' : 'other';
      // AF_UNSPEC is connect()'s "dissolve the association": it reaches nothing.
      if (m[1] !== 'AF_UNSPEC') attempts.push({ ...base, family });
    }
  }
  return attempts;
}

export function analyse(text: string, resolvConf: string): Analysis {
  const attempts = parseAttempts(text);
  const servers = new Set(nameservers(resolvConf).map((s) => s.toLowerCase()));
  const inet = attempts.filter((a) => a.family === 'inet' || a.family === 'inet6');
  const isDnsServer = (a: Attempt) => (a.family === 'inet' || a.family === 'inet6') && (a.port === 53 || servers.has(a.address!.toLowerCase()));
  const unixPaths = new Map<string, number>();
  for (const a of attempts) if (a.family === 'unix') unixPaths.set(a.path!, (unixPaths.get(a.path!) ?? 0) + 1);
  const outside = inet.filter((a) => !isLoopback(a.address!));
  const routeLookup = (a: Attempt) => a.syscall === 'connect' && a.protocol.startsWith('UDP');
  return {
    attempts,
    loopback: inet.filter((a) => isLoopback(a.address!)),
    nonLoopback: outside.filter((a) => !routeLookup(a)),
    udpRouteLookups: outside.filter(routeLookup),
    dns: attempts.filter((a) => (a.family === 'unix' ? DNS_UNIX_PATHS.some((p) => p.test(a.path!)) : isDnsServer(a))),
    unixPaths,
  };
}
