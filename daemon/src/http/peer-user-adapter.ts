// Adapter: the local user that owns the other end of a loopback connection, from the kernel's socket
// tables (/proc/net/tcp and tcp6). One read answers every connection waiting at that moment: a read
// walks the kernel's whole socket hash (about 1–5 ms whatever the load), so a burst of connections
// costs one read, not one each. Reads run off the event loop (fs/promises).
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import type { Socket } from 'node:net';
import { procNetAddress, socketOwner, unmappedIpv4 } from './parse-proc-net-tcp.ts';

/** The owner's uid; `gone` when the kernel lists no live peer socket; `unknown` when the table cannot be read. */
export type PeerOwner = { uid: number } | { gone: true } | { unknown: string };

export interface PeerUsers {
  ownerOf(socket: Socket): Promise<PeerOwner>;
}

interface Candidate {
  table: 'tcp' | 'tcp6';
  local: string;
  remote: string;
}

interface Waiting {
  candidates: Candidate[];
  resolve: (owner: PeerOwner) => void;
}

/** The peer's socket, as the table would list it: its local end is our remote end. */
function candidatesFor(socket: Socket, littleEndian: boolean): Candidate[] {
  const peer = socket.remoteAddress ?? '';
  const self = socket.localAddress ?? '';
  const peerPort = socket.remotePort ?? -1;
  const selfPort = socket.localPort ?? -1;
  const out: Candidate[] = [];
  const add = (table: Candidate['table'], peerIp: string, selfIp: string) => {
    const local = procNetAddress(peerIp, peerPort, littleEndian);
    const remote = procNetAddress(selfIp, selfPort, littleEndian);
    if (local && remote) out.push({ table, local, remote });
  };
  const peer4 = unmappedIpv4(peer);
  const self4 = unmappedIpv4(self);
  if (socket.remoteFamily === 'IPv4') add('tcp', peer, self);
  else {
    // A dual-stack listener sees an IPv4 client as ::ffff:a.b.c.d; its socket is in either table.
    if (peer4 && self4) add('tcp', peer4, self4);
    add('tcp6', peer, self);
  }
  return out;
}

export function procPeerUsers(options: { root?: string; littleEndian?: boolean } = {}): PeerUsers {
  const root = options.root ?? '/proc';
  const littleEndian = options.littleEndian ?? os.endianness() === 'LE';
  let waiting: Waiting[] = [];
  let reading = false;

  const pump = (): void => {
    if (reading || waiting.length === 0) return;
    reading = true;
    const batch = waiting;
    waiting = [];
    const needs6 = batch.some((w) => w.candidates.some((c) => c.table === 'tcp6'));
    Promise.all([readFile(`${root}/net/tcp`, 'latin1'), needs6 ? readFile(`${root}/net/tcp6`, 'latin1') : Promise.resolve('')])
      .then(
        ([tcp, tcp6]) => {
          for (const w of batch) {
            const uid = w.candidates.map((c) => socketOwner(c.table === 'tcp' ? tcp : tcp6, c.local, c.remote)).find((u) => u !== null) ?? null;
            w.resolve(uid === null ? { gone: true } : { uid });
          }
        },
        (error: unknown) => {
          for (const w of batch) w.resolve({ unknown: error instanceof Error ? error.message : String(error) });
        },
      )
      .finally(() => {
        reading = false;
        pump();
      });
  };

  return {
    ownerOf(socket) {
      const candidates = candidatesFor(socket, littleEndian);
      if (candidates.length === 0) return Promise.resolve({ unknown: `no socket table entry can name ${socket.remoteAddress}` });
      // A connection that arrives during a read waits for the next one: the table being read may
      // have been printed before its socket existed.
      return new Promise<PeerOwner>((resolve) => {
        waiting.push({ candidates, resolve });
        pump();
      });
    },
  };
}
