// Adapter: writes a reproducible .tar.gz and reads one member out of a .tgz.
// Reproducible: entries in the order given (the caller sorts), owner root:root (0/0), one mtime for
// every entry (SOURCE_DATE_EPOCH), modes fixed by the caller, and gzip with no name and mtime 0 at a
// fixed level — the same entries give the same bytes on any machine running the same Node.
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import tar from 'tar-stream';

export interface ArchiveEntry {
  /** Path inside the archive, `/`-separated, no leading slash; directories end without a slash. */
  path: string;
  type: 'file' | 'directory';
  mode: number;
  /** A file's bytes: from disk or in memory. */
  source?: { file: string; size: number } | { data: Buffer };
}

export const GZIP_LEVEL = 6;

/** Writes `entries` to `file` (through a temporary name) and returns nothing until it is on disk. */
export async function writeTarGz(entries: ArchiveEntry[], file: string, mtimeSeconds: number): Promise<void> {
  const pack = tar.pack();
  const temp = `${file}.partial`;
  const mtime = new Date(mtimeSeconds * 1000);
  const written = pipeline(pack, createGzip({ level: GZIP_LEVEL }), createWriteStream(temp, { mode: 0o644 }));
  try {
    for (const entry of entries) {
      const header = { name: entry.path, mode: entry.mode, uid: 0, gid: 0, uname: 'root', gname: 'root', mtime };
      if (entry.type === 'directory') {
        pack.entry({ ...header, type: 'directory' });
        continue;
      }
      const source = entry.source;
      if (!source) throw new Error(`${entry.path}: a file without contents`);
      if ('data' in source) {
        pack.entry({ ...header, type: 'file', size: source.data.length }, source.data);
        continue;
      }
      const sink = pack.entry({ ...header, type: 'file', size: source.size });
      await pipeline(createReadStream(source.file), sink as unknown as Writable);
    }
    pack.finalize();
    await written;
    await rename(temp, file);
  } catch (error) {
    pack.destroy(error as Error);
    await written.catch(() => undefined);
    await rm(temp, { force: true });
    throw error;
  }
}

/** The bytes of member `name` of a gzipped tar (a package from the registry, already verified). */
export async function readTarGzMember(file: string, name: string, maxBytes: number): Promise<Buffer> {
  const extract = tar.extract();
  let found: Buffer | null = null;
  extract.on('entry', (header, stream, next) => {
    if (header.name !== name || header.type !== 'file') {
      stream.on('end', next);
      stream.resume();
      return;
    }
    if ((header.size ?? 0) > maxBytes) {
      next(new Error(`${name} is ${header.size} bytes, more than ${maxBytes}`));
      return;
    }
    const chunks: Buffer[] = [];
    stream.on('data', (c: unknown) => chunks.push(c as Buffer));
    stream.on('end', () => {
      found = Buffer.concat(chunks);
      next();
    });
  });
  await pipeline(createReadStream(file), createGunzip(), extract as unknown as Writable);
  if (!found) throw new Error(`${file} has no member ${name}`);
  return found;
}

export interface ListedEntry {
  name: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  /** Seconds. */
  mtime: number;
  size: number;
}

/** Every entry header of a .tar.gz, in order (tests read archives back with it). */
export async function listTarGz(file: string): Promise<ListedEntry[]> {
  const extract = tar.extract();
  const headers: ListedEntry[] = [];
  extract.on('entry', (h, stream, next) => {
    const { name, type = 'file', mode = 0, uid = -1, gid = -1, uname = '', gname = '', size = 0 } = h;
    headers.push({ name, type: type ?? 'file', mode, uid, gid, uname, gname, mtime: (h.mtime?.getTime() ?? 0) / 1000, size });
    stream.on('end', next);
    stream.resume();
  });
  await pipeline(createReadStream(file), createGunzip(), extract as unknown as Writable);
  return headers;
}
