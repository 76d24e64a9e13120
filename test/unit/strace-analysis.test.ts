import { describe, expect, it } from 'vitest';
import { analyse, isLoopback, nameservers } from '../release/strace-analysis.ts';

// Lines as strace 6.1 prints them with -f -o FILE (recorded in a loopback-only namespace).
const TRACE = String.raw`12190 connect(21, {sa_family=AF_UNIX, sun_path="/var/run/nscd/socket"}, 110) = -1 ENOENT (No such file or directory)
12190 connect(21, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.255.255.53")}, 16) = -1 ENETUNREACH (Network is unreachable)
12183 connect(22, {sa_family=AF_INET, sin_port=htons(7480), sin_addr=inet_addr("127.0.0.1")}, 16) = -1 EINPROGRESS (Operation now in progress)
12183 connect(23, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "2001:db8::1", &sin6_addr), sin6_scope_id=0}, 28) = -1 ENETUNREACH (Network is unreachable)
12183 sendmsg(23, {msg_name={sa_family=AF_INET, sin_port=htons(123), sin_addr=inet_addr("192.0.2.1")}, msg_namelen=16, msg_iov=[{iov_base="x", iov_len=1}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, 0) = -1 ENETUNREACH (Network is unreachable)
12183 sendto(24, [{nlmsg_len=20, nlmsg_type=RTM_GETLINK, nlmsg_flags=NLM_F_REQUEST|NLM_F_DUMP, nlmsg_seq=1, nlmsg_pid=0}, {ifi_family=AF_UNSPEC}], 20, 0, {sa_family=AF_NETLINK, nl_pid=0, nl_groups=00000000}, 12) = 20
12183 sendto(22, "GET / HTTP/1.1\r\n", 16, MSG_NOSIGNAL, NULL, 0) = 16
12200 connect(30, {sa_family=AF_INET6, sin6_port=htons(8443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}, 28 <unfinished ...>
12200 <... connect resumed>) = 0
12201 connect(31, {sa_family=AF_UNSPEC, sa_data="\0\0\0\0\0\0\0\0\0\0\0\0\0\0"}, 16) = 0
12202 connect(32, {sa_family=AF_UNIX, sun_path=@"/tmp/.X11-unix/X0"}, 20) = -1 ECONNREFUSED (Connection refused)
12203 connect(33, {sa_family=AF_UNIX, sun_path="/run/systemd/resolve/io.systemd.Resolve"}, 42) = -1 ENOENT (No such file or directory)
12204 connect(34, {sa_family=AF_INET, sin_port=htons(5353), sin_addr=inet_addr("127.0.0.53")}, 16) = 0
+++ exited with 0 +++`;

describe('strace analysis', () => {
  const result = analyse(TRACE, '# generated\nnameserver 127.0.0.53\nnameserver fe80::1%eth0\nsearch lan\n');

  it('finds every attempt, whatever its result, and ignores resumed halves, AF_UNSPEC and status lines', () => {
    expect(result.attempts.map((a) => `${a.syscall} ${a.family} ${a.address ?? a.path ?? ''}${a.port === undefined ? '' : `:${a.port}`}`)).toEqual([
      'connect unix /var/run/nscd/socket',
      'connect inet 10.255.255.53:53',
      'connect inet 127.0.0.1:7480',
      'connect inet6 2001:db8::1:443',
      'sendmsg inet 192.0.2.1:123',
      'sendto netlink ',
      'connect inet6 ::1:8443',
      'connect unix @/tmp/.X11-unix/X0',
      'connect unix /run/systemd/resolve/io.systemd.Resolve',
      'connect inet 127.0.0.53:5353',
    ]);
    expect(result.attempts[1]!.result).toBe('-1 ENETUNREACH (Network is unreachable)');
  });

  it('sorts loopback from everything else', () => {
    expect(result.loopback.map((a) => a.address)).toEqual(['127.0.0.1', '::1', '127.0.0.53']);
    expect(result.nonLoopback.map((a) => a.address)).toEqual(['10.255.255.53', '2001:db8::1', '192.0.2.1']);
  });

  it('names the program of every thread and tells a UDP route lookup from a connection attempt (-yy)', () => {
    const trace = String.raw`100 execve("/opt/outpost/releases/0.1.0/bin/node", ["/opt/outpost/releases/0.1.0/bin/node", "/opt/outpost/releases/0.1.0/daemon/src/cli.js", "serve"], 0x7ffd /* 37 vars */) = 0
100 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM, child_tid=0x7f, parent_tid=0x7f, exit_signal=0, stack=0x7f, stack_size=0x7ff, tls=0x7f} => {parent_tid=[101]}, 88) = 101
101 connect(22<TCPv6:[379527]>, {sa_family=AF_INET6, sin6_port=htons(9), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "2001:db8::1", &sin6_addr), sin6_scope_id=0}, 28) = -1 ENETUNREACH (Network is unreachable)
200 execve("/usr/lib/chromium/chromium", ["/usr/lib/chromium/chromium", "--no-sandbox"], 0x7ffd /* 40 vars */) = 0
200 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD <unfinished ...>
200 <... clone resumed>, child_tidptr=0x7f) = 210
210 execve("/proc/self/exe", ["/proc/self/exe", "--type=utility", "--utility-sub-type=network.mojom.NetworkService"], 0x55 /* 41 vars */) = 0
210 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM, child_tid=0x7f <unfinished ...>
210 <... clone3 resumed> => {parent_tid=[211]}, 88) = 211
211 connect(23<UDPv6:[[::]:43957]>, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "2001:4860:4860::8888", &sin6_addr), sin6_scope_id=0}, 28) = -1 ENETUNREACH (Network is unreachable)
211 sendmsg(24<UDP:[0.0.0.0:60412]>, {msg_name={sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("192.0.2.1")}, msg_namelen=16, msg_iov=[{iov_base="x", iov_len=1}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, 0) = -1 ENETUNREACH (Network is unreachable)
211 connect(25<UDP:[0.0.0.0:5000]>, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.0.0.2")}, 16) = -1 ENETUNREACH (Network is unreachable)`;
    const a = analyse(trace, 'nameserver 10.0.0.2\n');
    expect(a.attempts.map((x) => [x.program, x.protocol])).toEqual([
      ['node', 'TCPv6'],
      ['chromium --type=utility', 'UDPv6'],
      ['chromium --type=utility', 'UDP'],
      ['chromium --type=utility', 'UDP'],
    ]);
    expect(a.udpRouteLookups.map((x) => x.address)).toEqual(['2001:4860:4860::8888', '10.0.0.2']);
    // A datagram is never a route lookup; a TCP connect never is either.
    expect(a.nonLoopback.map((x) => `${x.syscall} ${x.address}`)).toEqual(['connect 2001:db8::1', 'sendmsg 192.0.2.1']);
    // A UDP connect to a nameserver is still DNS.
    expect(a.dns.map((x) => x.address)).toEqual(['10.0.0.2']);
  });

  it('counts port 53, a resolv.conf nameserver on any port, nscd and systemd-resolved as DNS', () => {
    expect(result.dns.map((a) => a.path ?? `${a.address}:${a.port}`)).toEqual([
      '/var/run/nscd/socket',
      '10.255.255.53:53',
      '/run/systemd/resolve/io.systemd.Resolve',
      '127.0.0.53:5353',
    ]);
  });

  it('knows loopback addresses and reads nameservers', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::FFFF:127.0.0.1']) expect(isLoopback(a)).toBe(true);
    for (const a of ['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', 'fe80::1', '::ffff:10.0.0.1']) expect(isLoopback(a)).toBe(false);
    expect(nameservers('nameserver 10.0.0.2\n#nameserver 1.1.1.1\n nameserver  2001:db8::53 \n')).toEqual(['10.0.0.2', '2001:db8::53']);
  });
});
