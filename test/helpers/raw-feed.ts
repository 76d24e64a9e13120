// A feed client at the byte level, for hostile tests: it does the WebSocket handshake by hand, can
// stop reading (the kernel then holds what the server sends) and writes prebuilt frames in bulk,
// which a ws client would queue in the test process's own memory.
import { randomBytes, randomFillSync } from 'node:crypto';
import net from 'node:net';

export interface RawFeed {
  socket: net.Socket;
  /** Bytes received after the handshake (only while reading). */
  received(): Buffer;
  /** Text frames received so far, parsed as JSON (unfragmented, unmasked server frames). */
  messages(): unknown[];
  /** The close frame's code, if one arrived. */
  closeCode(): number | null;
  /** Resolves when the TCP connection has closed. */
  closed: Promise<void>;
}

/** One masked client text frame (RFC 6455 §5.2). */
export function clientTextFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = randomBytes(4);
  const short = payload.length < 126;
  const header = Buffer.from(short ? [0x81, 0x80 | payload.length] : [0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff]);
  const masked = Buffer.alloc(payload.length);
  for (let i = 0; i < payload.length; i += 1) masked[i] = payload[i]! ^ mask[i % 4]!;
  return Buffer.concat([header, mask, masked]);
}

/** `count` masked text frames in one buffer, written in place (no garbage for the test's own GC). */
export function clientTextFrames(count: number, make: (i: number) => string): Buffer {
  const texts = Array.from({ length: count }, (_, i) => Buffer.from(make(i)));
  const size = texts.reduce((n, t) => n + t.length + (t.length < 126 ? 6 : 8), 0);
  const out = Buffer.allocUnsafe(size);
  const masks = randomFillSync(Buffer.allocUnsafe(count * 4));
  let at = 0;
  texts.forEach((text, i) => {
    out[at++] = 0x81;
    if (text.length < 126) out[at++] = 0x80 | text.length;
    else {
      out[at++] = 0x80 | 126;
      out.writeUInt16BE(text.length, at);
      at += 2;
    }
    const mask = masks.subarray(i * 4, i * 4 + 4);
    mask.copy(out, at);
    at += 4;
    for (let j = 0; j < text.length; j += 1) out[at++] = text[j]! ^ mask[j % 4]!;
  });
  return out;
}

function parseFrames(bytes: Buffer): { texts: string[]; close: number | null } {
  const texts: string[] = [];
  let close: number | null = null;
  let at = 0;
  while (at + 2 <= bytes.length) {
    const opcode = bytes[at]! & 0x0f;
    let length = bytes[at + 1]! & 0x7f;
    let start = at + 2;
    if (length === 126) {
      if (start + 2 > bytes.length) break;
      length = bytes.readUInt16BE(start);
      start += 2;
    } else if (length === 127) {
      if (start + 8 > bytes.length) break;
      length = Number(bytes.readBigUInt64BE(start));
      start += 8;
    }
    if (start + length > bytes.length) break;
    const payload = bytes.subarray(start, start + length);
    if (opcode === 0x1) texts.push(payload.toString('utf8'));
    if (opcode === 0x8 && payload.length >= 2) close = payload.readUInt16BE(0);
    at = start + length;
  }
  return { texts, close };
}

/** Connects and upgrades; resolves once the server has answered 101 (and keeps reading). */
export function openRawFeed(port: number, headers: Record<string, string> = {}, timeoutMs = 5000): Promise<RawFeed> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('feed handshake timed out'));
    }, timeoutMs);
    let head = Buffer.alloc(0);
    let body: Buffer[] = [];
    let upgraded = false;
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      if (upgraded) return void body.push(chunk);
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      clearTimeout(timer);
      const status = head.subarray(0, head.indexOf('\r\n')).toString();
      if (!/^HTTP\/1\.1 101 /.test(status)) {
        socket.destroy();
        return reject(new Error(`feed handshake refused: ${status}`));
      }
      upgraded = true;
      body = [head.subarray(end + 4)];
      const received = () => Buffer.concat(body);
      const messages = () => parseFrames(received()).texts.map((t) => JSON.parse(t) as unknown);
      resolve({ socket, received, messages, closeCode: () => parseFrames(received()).close, closed });
    });
    socket.once('close', () => {
      clearTimeout(timer);
      if (!upgraded) reject(new Error('connection closed before the handshake finished'));
    });
    const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    socket.write(
      `GET /api/v1/feed HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`,
    );
  });
}

/** Resolves when `predicate` holds on the feed's messages, or rejects at the deadline. */
export async function waitForRaw(feed: RawFeed, predicate: (messages: unknown[]) => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate(feed.messages())) {
    if (Date.now() > deadline) {
      const counts: Record<string, number> = {};
      for (const m of feed.messages()) counts[(m as { type: string }).type] = (counts[(m as { type: string }).type] ?? 0) + 1;
      const state = `received ${feed.received().length} bytes ${JSON.stringify(counts)}, close ${feed.closeCode()}`;
      throw new Error(`timed out waiting for ${what}; ${state}, socket ${feed.socket.destroyed ? 'closed' : 'open'}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}
