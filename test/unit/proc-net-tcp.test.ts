// Reading the owner of a loopback connection's other end from the kernel's socket table (pure).
import { describe, expect, it } from 'vitest';
import { ipv6Bytes, procNetAddress, socketOwner, unmappedIpv4 } from '../../daemon/src/http/parse-proc-net-tcp.ts';

// Captured shape of /proc/net/tcp on x86-64: a listener on 127.0.0.1:7481, then both ends of one
// connection from port 51000 (the client's end owned by uid 65534, ours by uid 0), then a closed
// connection in TIME_WAIT.
const TCP = [
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
  '   0: 0100007F:1D39 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 41299 1 000000001a1ef7a1 100 0 0 10 0',
  '   1: 0100007F:C738 0100007F:1D39 01 00000000:00000000 00:00000000 00000000 65534        0 51234 1 0000000039aa9443 20 4 30 10 -1',
  '   2: 0100007F:1D39 0100007F:C738 01 00000000:00000000 00:00000000 00000000     0        0 51235 1 0000000039aa9444 20 4 30 10 -1',
  '   3: 0100007F:C739 0100007F:1D39 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000',
].join('\n');

describe('the kernel socket table', () => {
  it('prints addresses in host byte order per 32-bit word and ports in hex', () => {
    expect(procNetAddress('127.0.0.1', 7481, true)).toBe('0100007F:1D39');
    expect(procNetAddress('127.0.0.1', 7481, false)).toBe('7F000001:1D39');
    expect(procNetAddress('::1', 443, true)).toBe('00000000000000000000000001000000:01BB');
    expect(procNetAddress('::ffff:127.0.0.1', 80, true)).toBe('0000000000000000FFFF00000100007F:0050');
    expect(procNetAddress('not an address', 80, true)).toBeNull();
  });

  it('expands IPv6 text forms and refuses malformed ones', () => {
    expect(ipv6Bytes('fe80::1%eth0')).toEqual([0xfe, 0x80, ...Array<number>(13).fill(0), 1]);
    expect(ipv6Bytes('1:2:3:4:5:6:7:8')).toHaveLength(16);
    expect(ipv6Bytes('::')).toEqual(Array<number>(16).fill(0));
    expect(ipv6Bytes('1::2::3')).toBeNull();
    expect(ipv6Bytes('1:2:3')).toBeNull();
    expect(ipv6Bytes('12345::')).toBeNull();
    expect(unmappedIpv4('::ffff:127.0.0.2')).toBe('127.0.0.2');
    expect(unmappedIpv4('::1')).toBeNull();
  });

  it('finds the uid owning the peer end of a connection', () => {
    // Our end is 127.0.0.1:7481, the peer 127.0.0.1:51000: the peer's socket lists them swapped.
    expect(socketOwner(TCP, procNetAddress('127.0.0.1', 51000, true)!, procNetAddress('127.0.0.1', 7481, true)!)).toBe(65534);
    // Our own end of it is owned by us.
    expect(socketOwner(TCP, '0100007F:1D39', '0100007F:C738')).toBe(0);
  });

  it('knows no owner for a closed peer (TIME_WAIT) or one that is not listed', () => {
    expect(socketOwner(TCP, '0100007F:C739', '0100007F:1D39')).toBeNull();
    expect(socketOwner(TCP, '0100007F:FFFF', '0100007F:1D39')).toBeNull();
    expect(socketOwner('', '0100007F:C738', '0100007F:1D39')).toBeNull();
  });
});
