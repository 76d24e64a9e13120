// Real USB sticks for tests: a filesystem image (vfat, exfat or ext4) attached as a loop device, with
// files put on it through a temporary read-write mount. Needs root and loop devices (CI has both);
// `loopDevicesUsable()` says whether this machine can, so suites skip with a clear message.
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CLI, ROOT } from './daemon.ts';

const run = promisify(execFile);

export async function loopDevicesUsable(): Promise<string | null> {
  if (process.getuid?.() !== 0) return 'not root';
  try {
    await run('losetup', ['-f'], { timeout: 5000 });
    for (const tool of ['mkfs.vfat', 'mkfs.ext4', 'blkid', 'mount']) await run('sh', ['-c', `command -v ${tool}`]);
    return null;
  } catch (error) {
    return `loop devices or tools unavailable: ${(error as Error).message.split('\n')[0]}`;
  }
}

/** Whether the running kernel can mount `fs` (containers and minimal kernels may lack vfat and exfat). */
export function kernelHas(fs: string): boolean {
  return readFileSync('/proc/filesystems', 'utf8').split('\n').some((l) => l.trim().split(/\s+/).pop() === fs);
}

/** `fs` where the kernel has it, else ext4 (said once per filesystem, so a reader knows what ran). */
const warned = new Set<string>();
export function fsOr(fs: 'vfat' | 'exfat'): 'vfat' | 'exfat' | 'ext4' {
  if (kernelHas(fs)) return fs;
  if (!warned.has(fs)) console.warn(`this kernel cannot mount ${fs} (/proc/filesystems): the ${fs} sticks of this suite are ext4 here`);
  warned.add(fs);
  return 'ext4';
}

export interface Stick {
  image: string;
  /** `/dev/loopN` */
  device: string;
  name: string;
  /** Reads a file from the stick (mounted read-only for the moment). */
  read(file: string): Promise<string | null>;
  /** Lists the stick's root. */
  list(): Promise<string[]>;
  /** Detaches the loop device (the stick is pulled). */
  pull(): Promise<void>;
  remove(): Promise<void>;
}

/** Makes a stick of `mb` MiB holding `files` (name on the stick → a local file to copy, or text). */
export async function makeStick(fs: 'vfat' | 'exfat' | 'ext4', label: string, files: Record<string, { from: string } | { text: string } | { fill: true }>, mb = 64): Promise<Stick> {
  const dir = mkdtempSync(path.join(tmpdir(), 'outpost-stick-'));
  const image = path.join(dir, 'stick.img');
  await run('truncate', ['-s', `${mb}M`, image]);
  if (fs === 'vfat') await run('mkfs.vfat', ['-n', label, image]);
  else if (fs === 'exfat') await run('mkfs.exfat', ['-L', label, image]);
  else await run('mkfs.ext4', ['-q', '-m', '0', '-L', label, image]); // no root reserve: a full stick is full for root too
  const device = (await run('losetup', ['-f', '--show', image])).stdout.trim();
  const mnt = path.join(dir, 'mnt');
  mkdirSync(mnt);
  const withMount = async <T>(options: string, body: () => T | Promise<T>): Promise<T> => {
    await run('mount', ['-o', options, device, mnt]);
    try {
      return await body();
    } finally {
      await run('umount', [mnt]);
    }
  };
  const filling = withMount('rw', async () => {
    for (const [name, content] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(mnt, name)), { recursive: true });
      if ('fill' in content) {
        // Every last block: big writes, then ever smaller ones into more files, until nothing fits.
        for (const [i, bs] of ['1M', '4k', '512', '1'].entries()) await run('dd', ['if=/dev/zero', `of=${path.join(mnt, `${name}${i}`)}`, `bs=${bs}`, 'status=none']).catch(() => undefined);
      } else if ('from' in content) copyFileSync(content.from, path.join(mnt, name));
      else writeFileSync(path.join(mnt, name), content.text);
    }
  });
  await filling.catch(async (error: unknown) => {
    await run('losetup', ['-d', device]).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });
  let attached = true;
  const pull = async () => {
    if (attached) await run('losetup', ['-d', device]).catch(() => undefined);
    attached = false;
  };
  return {
    image,
    device,
    name: path.basename(device),
    read: (file) => withMount('ro', () => {
      try {
        return readFileSync(path.join(mnt, file), 'utf8');
      } catch {
        return null;
      }
    }),
    list: () => withMount('ro', () => run('ls', ['-A', mnt]).then((r) => r.stdout.split('\n').filter(Boolean))),
    pull,
    async remove() {
      await pull();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `outpost usb attach|detach DEVICE` exactly as outpost-usb@.service does (plus --home and --mount-root). */
export function runUsb(verb: 'attach' | 'detach', device: string, home: string, mountRoot: string, onLine?: (line: string) => void, timeoutMs = 120_000): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'usb', verb, device, '--home', home, '--config', 'none', '--mount-root', mountRoot], { cwd: ROOT, env: { ...process.env, OUTPOST_KUBECONFIG: 'none' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      for (const line of d.split('\n').filter(Boolean)) onLine?.(line);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => (child.kill('SIGKILL'), reject(new Error(`outpost usb ${verb} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`))), timeoutMs);
    child.on('exit', (code) => (clearTimeout(timer), resolve({ code, stdout, stderr })));
  });
}
