// The listener's connection caps on real loopback sockets: per source address with every loopback
// source counted as one, and per local user (the kiosk listener), where the owner comes from the
// kernel's socket table — here read for real, and also handed in by the test to play several users.
import net from 'node:net';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { listen, type Listening } from '../../daemon/src/http/index.ts';
import { procPeerUsers, type PeerOwner, type PeerUsers } from '../../daemon/src/http/peer-user-adapter.ts';

const listeners: Listening[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  sockets.splice(0).forEach((s) => s.destroy());
  await Promise.all(listeners.splice(0).map((l) => l.close()));
});

async function start(options: { capBy?: 'address' | 'localUser'; peerUsers?: PeerUsers; onPeerUnknown?: (reason: string) => void; cap?: number }) {
  const listening = await listen({ handler: (_req, res) => res.end('ok'), address: '127.0.0.1', port: 0, connectionsPerAddress: options.cap ?? 2, ...options });
  listeners.push(listening);
  return listening;
}

/** Opens a keep-alive connection and makes one request: 'served', or 'refused' when it is cut first. */
function request(port: number, localAddress = '127.0.0.1'): Promise<'served' | 'refused'> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress });
    sockets.push(socket);
    let answer = '';
    socket.on('error', () => undefined);
    socket.on('data', (d: Buffer) => {
      answer += d.toString();
      if (answer.startsWith('HTTP/1.1 200')) resolve('served');
    });
    socket.on('close', () => resolve('refused'));
    socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  });
}

/** Owners handed out in the order connections arrive (each test connects one at a time). */
function scripted(owners: PeerOwner[]): PeerUsers {
  return { ownerOf: () => Promise.resolve(owners.shift() ?? { gone: true }) };
}

describe('connection caps', () => {
  it('counts every loopback source address as one', async () => {
    const l = await start({});
    expect(await request(l.port, '127.0.0.1')).toBe('served');
    expect(await request(l.port, '127.0.0.2')).toBe('served');
    expect(await request(l.port, '127.0.0.3')).toBe('refused');
  });

  it('counts per local user on a localUser listener: one user at its cap does not hold back another', async () => {
    const l = await start({ capBy: 'localUser', peerUsers: scripted([{ uid: 1000 }, { uid: 1000 }, { uid: 1000 }, { uid: 0 }, { gone: true }]) });
    expect(await request(l.port)).toBe('served');
    expect(await request(l.port)).toBe('served');
    expect(await request(l.port)).toBe('refused');
    expect(await request(l.port)).toBe('served');
    // A peer the kernel no longer lists is gone: its connection is dropped.
    expect(await request(l.port)).toBe('refused');
  });

  it('falls back to the address when owners cannot be read, and says so once', async () => {
    const told: string[] = [];
    const unknown: PeerOwner = { unknown: 'no /proc' };
    const l = await start({ capBy: 'localUser', peerUsers: scripted([unknown, unknown, unknown]), onPeerUnknown: (r) => told.push(r) });
    expect([await request(l.port), await request(l.port), await request(l.port)]).toEqual(['served', 'served', 'refused']);
    expect(told).toEqual(['no /proc']);
  });

  it('reads the real owner of a loopback peer from the kernel', async () => {
    const seen: PeerOwner[] = [];
    const real = procPeerUsers();
    const l = await start({ capBy: 'localUser', peerUsers: { ownerOf: async (s) => (seen.push(await real.ownerOf(s)), seen.at(-1)!) } });
    expect(await request(l.port)).toBe('served');
    expect(seen).toEqual([{ uid: process.getuid!() }]);
  });
});
