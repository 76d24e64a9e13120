// Parses /proc/self/mountinfo (proc(5)), one entry per line: mount id, major:minor, the root inside
// the filesystem, the mount point, the filesystem type, the source, and the per-mount and superblock
// options. Pure. Octal escapes (`\040` a space, `\011` a tab, `\012` a newline, `\134` a backslash)
// are decoded. Health reads it for the disks it shows; the USB side to check how a stick is mounted.

export interface MountEntry {
  id: number;
  /** major:minor */
  devno: string;
  /** Path inside the filesystem that is mounted here ("/" unless a bind mount of a sub-tree). */
  root: string;
  mount: string;
  fstype: string;
  /** The mount source: a device path for block filesystems. */
  device: string;
  /** Per-mount and superblock options together (`ro`, `nosuid`, …). */
  options: ReadonlySet<string>;
  /** Mounted read-only (the per-mount `ro` flag). */
  readOnly: boolean;
}

export function unescapeMountPath(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const dash = line.indexOf(' - ');
    if (dash < 0) continue;
    const left = line.slice(0, dash).split(' ');
    const right = line.slice(dash + 3).split(' ');
    if (left.length < 6 || right.length < 2) continue;
    const mountOptions = (left[5] ?? '').split(',');
    out.push({
      id: Number(left[0]),
      devno: left[2] as string,
      root: unescapeMountPath(left[3] as string),
      mount: unescapeMountPath(left[4] as string),
      fstype: right[0] as string,
      device: unescapeMountPath(right[1] as string),
      options: new Set([...mountOptions, ...(right[2] ?? '').split(',').filter(Boolean)]),
      readOnly: mountOptions.includes('ro'),
    });
  }
  return out;
}
