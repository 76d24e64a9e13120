// Adapter: containerd through `ctr` (why not the gRPC API: docs/upgrades.md). Lists images with
// their digests and labels, imports an archive streamed through a pipe (progress in bytes; a dead
// agent closes the pipe and ctr stops), sets and clears labels. Every call has a deadline.
import { execFile, spawn } from 'node:child_process';
import { open, statfs } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import type { DiskFacts } from './preflight-pure.ts';
import type { ImageFacts } from './planner.ts';

export interface ImageStorePort {
  /** Normalised reference → digest and labels. */
  list(signal?: AbortSignal): Promise<Map<string, ImageFacts>>;
  /** Streams an archive into `ctr images import -`; `onBytes` gets the running total. */
  importArchive(path: string, onBytes: (done: number) => void, signal?: AbortSignal): Promise<void>;
  /** Sets (value a string) or clears (value null) labels on one image. */
  label(reference: string, labels: Record<string, string | null>, signal?: AbortSignal): Promise<void>;
  disk(): Promise<DiskFacts | null>;
  readonly root: string;
}

export interface ContainerdOptions {
  address: string;
  namespace: string;
  ctr: string;
  root: string;
  /** Deadline of a short call (ls, label). */
  callTimeoutMs?: number;
  /** An import that moves no byte (or, once streamed, does not finish) for this long is cut off. */
  importStallMs?: number;
}

export class CtrError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CtrError';
  }
}

/** Parses `ctr images ls` (REF TYPE DIGEST SIZE PLATFORMS LABELS; SIZE has a space in it). */
export function parseImageList(text: string): Map<string, ImageFacts> {
  const out = new Map<string, ImageFacts>();
  for (const line of text.split('\n').slice(1)) {
    const parts = line.trim().split(/\s+/);
    if (parts.length < 6 || !parts[0]) continue;
    const labels: Record<string, string> = {};
    const raw = parts[parts.length - 1] ?? '-';
    if (raw !== '-') {
      for (const pair of raw.split(',')) {
        const eq = pair.indexOf('=');
        if (eq > 0) labels[pair.slice(0, eq)] = pair.slice(eq + 1);
      }
    }
    out.set(parts[0], { digest: parts[2] ?? '', labels });
  }
  return out;
}

const CHUNK_BYTES = 256 << 10;
const CHUNKS = 4;

/**
 * Copies a file into a pipe through a fixed ring of buffers, reusing each once its write has
 * completed: an import of any size allocates 1 MiB and leaves no garbage for the GC to catch up on.
 */
async function streamFile(path: string, sink: Writable, onBytes: (done: number) => void): Promise<void> {
  const file = await open(path, 'r');
  const free: Buffer[] = Array.from({ length: CHUNKS }, () => Buffer.allocUnsafe(CHUNK_BYTES));
  const waiting: (() => void)[] = [];
  let failure: Error | null = null;
  let done = 0;
  sink.on('error', (error) => (failure ??= error));
  try {
    for (;;) {
      while (free.length === 0 && !failure) await new Promise<void>((resolve) => waiting.push(resolve));
      if (failure) throw failure;
      const buffer = free.pop() as Buffer;
      const { bytesRead } = await file.read(buffer, 0, CHUNK_BYTES, null);
      if (bytesRead === 0) {
        free.push(buffer);
        break;
      }
      done += bytesRead;
      sink.write(bytesRead === CHUNK_BYTES ? buffer : buffer.subarray(0, bytesRead), (error) => {
        if (error) failure ??= error;
        free.push(buffer);
        waiting.shift()?.();
      });
      onBytes(done);
    }
    while (free.length < CHUNKS && !failure) await new Promise<void>((resolve) => waiting.push(resolve));
    if (failure) throw failure;
    await new Promise<void>((resolve) => sink.end(resolve));
  } finally {
    await file.close();
  }
}

export function containerdImageStore(options: ContainerdOptions): ImageStorePort {
  const base = ['-a', options.address, '-n', options.namespace];
  const timeout = options.callTimeoutMs ?? 30_000;
  const ctr = (args: string[], signal?: AbortSignal): Promise<string> =>
    new Promise((resolve, reject) => {
      execFile(options.ctr, [...base, ...args], { timeout, maxBuffer: 16 << 20, signal }, (error, stdout, stderr) => {
        if (error) reject(new CtrError(`ctr ${args.slice(0, 2).join(' ')}: ${(stderr || error.message).trim().split('\n').pop() ?? ''}`, { cause: error }));
        else resolve(stdout);
      });
    });
  return {
    root: options.root,
    async list(signal) {
      return parseImageList(await ctr(['images', 'ls'], signal));
    },
    async label(reference, labels, signal) {
      const pairs = Object.entries(labels).map(([k, v]) => `${k}=${v ?? ''}`);
      if (pairs.length > 0) await ctr(['images', 'label', reference, ...pairs], signal);
    },
    async importArchive(path, onBytes, signal) {
      const child = spawn(options.ctr, [...base, 'images', 'import', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
      const exited = new Promise<number | null>((resolve, reject) => {
        child.once('error', reject);
        child.once('exit', (code) => resolve(code));
      });
      const kill = () => child.kill('SIGKILL');
      signal?.addEventListener('abort', kill, { once: true });
      const stallMs = options.importStallMs ?? 60_000;
      let stalled = false;
      let watchdog = setTimeout(() => ((stalled = true), kill()), stallMs);
      const alive = () => {
        clearTimeout(watchdog);
        watchdog = setTimeout(() => ((stalled = true), kill()), stallMs);
      };
      try {
        await streamFile(path, child.stdin, (done) => {
          alive();
          onBytes(done);
        }).catch((error: unknown) => {
          kill();
          throw error;
        });
        alive();
        const code = await exited;
        if (stalled) throw new CtrError(`ctr images import made no progress for ${stallMs / 1000} s`);
        if (code !== 0) throw new CtrError(`ctr images import failed (exit ${code}): ${stderr.trim().split('\n').pop() ?? ''}`);
      } catch (error) {
        if (error instanceof CtrError) throw error;
        throw new CtrError(`ctr images import: ${(error as Error).message}; ${stderr.trim().split('\n').pop() ?? ''}`, { cause: error });
      } finally {
        clearTimeout(watchdog);
        signal?.removeEventListener('abort', kill);
      }
    },
    async disk() {
      try {
        const s = await statfs(options.root);
        return { path: options.root, freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
      } catch {
        return null;
      }
    },
  };
}
