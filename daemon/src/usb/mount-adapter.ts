// Adapter, root side (`outpost usb attach|detach`, in its own unit): what the kernel knows of a stick
// (blkid, udev), mounting it read-only, nosuid, nodev, noexec, remounting it read-write only to
// write the result back, and unmounting. Every command has a deadline.
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { mkdir, open, readFile, rename, rmdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import { parseMountinfo } from '../lib/mountinfo.ts';

/** The filesystems a stick may carry. */
export const STICK_FILESYSTEMS = ['vfat', 'exfat', 'ext4'] as const;
export const MOUNT_OPTIONS = 'ro,nosuid,nodev,noexec';
const COMMAND_MS = 30_000;

function run(file: string, args: string[], timeout = COMMAND_MS): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout, encoding: 'utf8', env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' } }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${file} ${args.join(' ')}: ${(stderr || error.message).trim().split('\n').slice(-2).join(' ')}`, { cause: error }));
      else resolve(stdout);
    });
  });
}

export interface DeviceFacts {
  fsType: string | null;
  label: string | null;
  uuid: string | null;
  serial: string | null;
}

const keyValues = (text: string) => new Map(text.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const));

/** The filesystem (probed on the device itself, no cache), its label, and the stick's serial from udev. */
export async function probeDevice(devicePath: string): Promise<DeviceFacts> {
  let fs = new Map<string, string>();
  try {
    fs = keyValues(await run('blkid', ['-p', '-o', 'export', devicePath], 10_000));
  } catch {
    // blkid exits 2 when it finds no filesystem: reported as an unknown filesystem.
  }
  let serial: string | null = null;
  try {
    const udev = keyValues(await run('udevadm', ['info', '--query=property', `--name=${devicePath}`], 5_000));
    serial = udev.get('ID_SERIAL_SHORT') ?? udev.get('ID_SERIAL') ?? null;
  } catch {
    // No udev database (containers, loop devices in tests): no serial.
  }
  return { fsType: fs.get('TYPE') ?? null, label: fs.get('LABEL') ?? null, uuid: fs.get('UUID') ?? null, serial };
}

export async function isMounted(mountPoint: string): Promise<boolean> {
  return parseMountinfo(await readFile('/proc/self/mountinfo', 'utf8')).some((m) => m.mount === mountPoint);
}

export async function mountReadOnly(devicePath: string, fsType: string, mountPoint: string): Promise<void> {
  await mkdir(path.dirname(mountPoint), { recursive: true, mode: 0o700 });
  await mkdir(mountPoint, { recursive: true, mode: 0o700 });
  await run('mount', ['-t', fsType, '-o', MOUNT_OPTIONS, devicePath, mountPoint]);
}

export async function remount(mountPoint: string, mode: 'rw' | 'ro'): Promise<void> {
  await run('mount', ['-o', `remount,${mode},nosuid,nodev,noexec`, mountPoint]);
}

/** Unmounts (lazily when busy, or when asked: a stick already pulled) and removes the mount point. */
export async function unmount(mountPoint: string, lazy = false): Promise<void> {
  if (await isMounted(mountPoint)) {
    try {
      await run('umount', lazy ? ['-l', mountPoint] : [mountPoint]);
    } catch (error) {
      if (lazy) throw error;
      await run('umount', ['-l', mountPoint]);
    }
  }
  await rmdir(mountPoint).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}

/** Writes a file durably: a temp file, fsync, rename over the name, fsync of the folder. */
export async function writeDurably(dir: string, name: string, content: string): Promise<void> {
  const temp = path.join(dir, `.${name}.partial`);
  const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o644);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await handle.close();
  await rename(temp, path.join(dir, name));
  const folder = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}
