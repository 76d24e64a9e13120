// Which mounts are real filesystems, from /proc/self/mountinfo. Pseudo filesystems are skipped;
// bind mounts (the same device mounted again, often a sub-tree) are reported once, at the mount
// that shows the device's root, else the shortest path.

export interface MountEntry {
  id: number;
  device: string;
  /** major:minor */
  devno: string;
  /** Path inside the filesystem that is mounted here ("/" unless a bind mount of a sub-tree). */
  root: string;
  mount: string;
  fstype: string;
  readOnly: boolean;
}

const PSEUDO = new Set([
  'autofs', 'binfmt_misc', 'bpf', 'cgroup', 'cgroup2', 'configfs', 'debugfs', 'devpts', 'devtmpfs', 'efivarfs',
  'fusectl', 'fuse.gvfsd-fuse', 'fuse.lxcfs', 'fuse.portal', 'hugetlbfs', 'iso9660', 'mqueue', 'nsfs', 'proc', 'procfs', 'pstore',
  'ramfs', 'rpc_pipefs', 'securityfs', 'selinuxfs', 'squashfs', 'erofs', 'sysfs', 'tracefs', 'tmpfs', 'nfsd', 'shm',
]);
const SKIPPED_MOUNTS = /^\/(dev|proc|sys|etc\/(?:hosts|hostname|resolv\.conf)|run\/credentials\/.+|var\/lib\/docker\/.+|var\/lib\/containers\/storage\/.+|var\/lib\/kubelet\/pods\/.+|run\/containerd\/.+|run\/k3s\/.+|var\/lib\/rancher\/k3s\/agent\/containerd\/.+)($|\/)/;

/** Undoes mountinfo's octal escapes (\040 space, \011 tab, \012 newline, \134 backslash). */
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
    const options = (left[5] ?? '').split(',');
    out.push({
      id: Number(left[0]),
      devno: left[2] as string,
      root: unescapeMountPath(left[3] as string),
      mount: unescapeMountPath(left[4] as string),
      fstype: right[0] as string,
      device: unescapeMountPath(right[1] as string),
      readOnly: options.includes('ro'),
    });
  }
  return out;
}

export function isRealFilesystem(entry: MountEntry): boolean {
  if (PSEUDO.has(entry.fstype)) return false;
  // A container's root is an overlay; elsewhere overlays are container layers, not disks.
  if (entry.fstype === 'overlay') return entry.mount === '/';
  if (SKIPPED_MOUNTS.test(entry.mount)) return false;
  return true;
}

/** Real filesystems, one per device, later mounts over the same point replacing earlier ones. */
export function realFilesystems(entries: readonly MountEntry[]): MountEntry[] {
  const byMount = new Map<string, MountEntry>();
  for (const entry of entries) byMount.set(entry.mount, entry);
  const byDevice = new Map<string, MountEntry>();
  for (const entry of byMount.values()) {
    if (!isRealFilesystem(entry)) continue;
    const key = entry.devno === '0:0' || entry.devno.startsWith('0:') ? `${entry.devno}|${entry.device}` : entry.devno;
    const seen = byDevice.get(key);
    if (!seen || better(entry, seen)) byDevice.set(key, entry);
  }
  return [...byDevice.values()].sort((a, b) => a.mount.localeCompare(b.mount));
}

function better(candidate: MountEntry, current: MountEntry): boolean {
  const cr = candidate.root === '/';
  const ur = current.root === '/';
  if (cr !== ur) return cr;
  if (candidate.mount.length !== current.mount.length) return candidate.mount.length < current.mount.length;
  return candidate.id < current.id;
}
