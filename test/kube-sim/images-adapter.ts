// Image sources (adapter): an images file (one reference per line, re-read when it changes) and
// a real containerd (`ctr -a SOCK -n k8s.io images ls -q`), both polled with a deadline.
import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import type { ImageStore } from './images.ts';

export interface ImageSourceOptions {
  imagesFile?: string;
  containerdSocket?: string;
  namespace?: string;
  pollMs: number;
  ctrPath?: string;
}

function listContainerd(ctr: string, socket: string, namespace: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile(ctr, ['-a', socket, '-n', namespace, 'images', 'ls', '-q'], { timeout: 5000, maxBuffer: 4 * 1024 * 1024 }, (error, stdout) => {
      if (error) reject(error);
      else resolve(stdout.split('\n'));
    });
  });
}

/** Loads the sources once, then polls them; returns the stop function. */
export async function watchImageSources(store: ImageStore, options: ImageSourceOptions): Promise<() => void> {
  let mtime = 0;
  let stopped = false;
  let warned = false;
  const refreshFile = async (): Promise<void> => {
    if (!options.imagesFile) return;
    const info = await stat(options.imagesFile);
    if (info.mtimeMs === mtime) return;
    mtime = info.mtimeMs;
    store.setSource('file', (await readFile(options.imagesFile, 'utf8')).split('\n'));
  };
  const refreshContainerd = async (): Promise<void> => {
    if (!options.containerdSocket) return;
    try {
      store.setSource('containerd', await listContainerd(options.ctrPath ?? 'ctr', options.containerdSocket, options.namespace ?? 'k8s.io'));
      warned = false;
    } catch (error) {
      if (!warned) console.error(`kube-sim: cannot list containerd images at ${options.containerdSocket}: ${(error as Error).message}`);
      warned = true;
    }
  };
  if (options.imagesFile) await refreshFile();
  if (options.containerdSocket) {
    store.setSource('containerd', []);
    await refreshContainerd();
  }
  let timer: NodeJS.Timeout | undefined;
  const loop = (): void => {
    timer = setTimeout(() => {
      void Promise.allSettled([refreshFile(), refreshContainerd()]).then(() => {
        if (!stopped) loop();
      });
    }, options.pollMs);
  };
  if (options.imagesFile || options.containerdSocket) loop();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
