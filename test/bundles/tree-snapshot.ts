// Snapshot of a directory tree (type, mode, size, mtime and content hash of every entry), to prove
// a refused bundle created or changed nothing.
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';

export async function snapshotTree(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (dir: string, rel: string) => {
    for (const name of (await readdir(dir)).sort()) {
      const path = join(dir, name);
      const key = rel ? `${rel}/${name}` : name;
      const stats = await lstat(path);
      const base = `${stats.mode.toString(8)} ${stats.size} ${stats.mtimeMs}`;
      if (stats.isDirectory()) {
        out[key] = `dir ${base}`;
        await walk(path, key);
      } else if (stats.isSymbolicLink()) out[key] = `link ${base} -> ${await readlink(path)}`;
      else if (stats.isFile()) out[key] = `file ${base} ${createHash('sha256').update(await readFile(path)).digest('hex')}`;
      else out[key] = `other ${base}`;
    }
  };
  await walk(root, '');
  return out;
}
