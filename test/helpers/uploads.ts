// Uploads for tests: the real tus client (tus-js-client, Node flavour) with a socket-tracking agent
// so a test can cut the connection, and raw tus requests for the refusals.
import { createReadStream } from 'node:fs';
import http from 'node:http';
import type { Socket } from 'node:net';
import { DefaultHttpStack, Upload, type UploadOptions } from 'tus-js-client';
import type { TestSession } from './auth.ts';

export interface TrackedAgent {
  agent: http.Agent;
  /** Destroys every open socket (a pulled cable, as the client sees it). */
  cut(): number;
}

export function trackedAgent(): TrackedAgent {
  const sockets = new Set<Socket>();
  const agent = new http.Agent({ keepAlive: true });
  const create = agent.createConnection.bind(agent);
  agent.createConnection = ((options: object, callback: unknown) => {
    const socket = (create as (o: object, c: unknown) => Socket)(options, callback);
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    return socket;
  }) as typeof agent.createConnection;
  return {
    agent,
    cut() {
      const n = sockets.size;
      for (const s of sockets) s.destroy();
      return n;
    },
  };
}

export interface TusRun {
  upload: Upload;
  done: Promise<string>;
}

/** Starts a tus upload of `file` as `session`; `done` resolves with the upload's URL. */
export function tusUpload(baseUrl: string, session: TestSession, file: string, options: Partial<UploadOptions> & { agent?: http.Agent } = {}): TusRun {
  const { agent, ...rest } = options;
  let resolve!: (url: string) => void;
  let reject!: (error: Error) => void;
  const done = new Promise<string>((res, rej) => ((resolve = res), (reject = rej)));
  const upload: Upload = new Upload(createReadStream(file), {
    endpoint: new URL('/api/v1/uploads', baseUrl).href,
    headers: { cookie: session.cookie, origin: session.origin, 'x-csrf-token': session.csrfToken },
    metadata: { filename: file.split('/').pop() ?? 'bundle.outpost' },
    retryDelays: [0, 200, 500, 1000, 1000, 2000, 2000, 3000, 3000, 5000],
    httpStack: new (DefaultHttpStack as unknown as new (o: object) => InstanceType<typeof DefaultHttpStack>)(agent ? { agent } : {}),
    onSuccess: () => resolve(upload.url as string),
    onError: (error) => reject(error),
    ...rest,
  });
  upload.start();
  return { upload, done };
}

export interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One raw HTTP request (tus headers are the caller's), body sent whole. */
export function rawRequest(url: string, method: string, headers: Record<string, string>, body?: Buffer): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) }, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Creates an upload of `length` bytes with raw tus; returns its path (`/api/v1/uploads/<id>`). */
export async function createUpload(baseUrl: string, headers: Record<string, string>, length: number): Promise<RawAnswer & { location: string }> {
  const answer = await rawRequest(new URL('/api/v1/uploads', baseUrl).href, 'POST', { ...headers, 'tus-resumable': '1.0.0', 'upload-length': String(length) });
  return { ...answer, location: String(answer.headers.location ?? '') };
}

/** Waits until `GET /api/v1/uploads/<id>` says offered or refused. */
export async function uploadOutcome(baseUrl: string, session: TestSession, location: string, timeoutMs = 60_000): Promise<{ state: string; bundle: { id: string } | null; error: { code: string; message: string } | null }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(new URL(location, baseUrl), { headers: session.auth() });
    const body = (await res.json()) as { upload: { state: string; bundle: { id: string } | null; error: { code: string; message: string } | null } };
    if (body.upload.state === 'offered' || body.upload.state === 'refused') return body.upload;
    if (Date.now() > deadline) throw new Error(`upload ${location} still ${body.upload.state} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
