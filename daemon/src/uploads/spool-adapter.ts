// Adapter: the web process's upload spool on disk, as @tus/file-store keeps it: `<id>` (the bytes
// received so far; its size is the offset, so a restart resumes where the disk says) and `<id>.json`
// (the declared length, metadata, creation time). Never read into memory.
import { mkdirSync } from 'node:fs';
import { readdir, readFile, stat, statfs } from 'node:fs/promises';
import path from 'node:path';
import { UPLOAD_ID } from '../agent/index.ts';

export interface SpoolEntry {
  id: string;
  size: number;
  offset: number;
  createdAt: number;
  metadata: Record<string, string | null>;
}

export class Spool {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  async entry(id: string): Promise<SpoolEntry | null> {
    if (!UPLOAD_ID.test(id)) return null;
    try {
      const info = JSON.parse(await readFile(path.join(this.dir, `${id}.json`), 'utf8')) as { size?: number; metadata?: Record<string, string | null>; creation_date?: string };
      const bytes = await stat(path.join(this.dir, id));
      return { id, size: Number(info.size ?? 0), offset: bytes.size, createdAt: Date.parse(info.creation_date ?? '') || bytes.birthtimeMs, metadata: info.metadata ?? {} };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async entries(): Promise<SpoolEntry[]> {
    const ids = (await readdir(this.dir)).filter((name) => UPLOAD_ID.test(name));
    const found = await Promise.all(ids.map((id) => this.entry(id)));
    return found.filter((e): e is SpoolEntry => e !== null);
  }

  async space(): Promise<{ freeBytes: number; totalBytes: number }> {
    const s = await statfs(this.dir);
    return { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
  }
}
