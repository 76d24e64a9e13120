// Which mounts are real filesystems, from /proc/self/mountinfo. Pseudo filesystems are skipped;
// bind mounts (the same device mounted again, often a sub-tree) are reported once, at the mount
// that shows the device's root, else the shortest path.

import type { MountEntry } from '../lib/mountinfo.ts';

const PSEUDO = new Set([
  'autofs', 'binfmt_misc', 'bpf', 'cgroup', 'cgroup2', 'configfs', 'debugfs', 'devpts', 'devtmpfs', 'efivarfs',
  'fusectl', 'fuse.gvfsd-fuse', 'fuse.lxcfs', 'fuse.portal', 'hugetlbfs', 'iso9660', 'mqueue', 'nsfs', 'proc', 'procfs', 'pstore',
  'ramfs', 'rpc_pipefs', 'securityfs', 'selinuxfs', 'squashfs', 'erofs', 'sysfs', 'tracefs', 'tmpfs', 'nfsd', 'shm',
]);
const SKIPPED_MOUNTS = /^\/(dev|proc|sys|etc\/(?:hosts|hostname|resolv\.conf)|run\/credentials\/.+|var\/lib\/docker\/.+|var\/lib\/containers\/storage\/.+|var\/lib\/kubelet\/pods\/.+|run\/containerd\/.+|run\/k3s\/.+|var\/lib\/rancher\/k3s\/agent\/containerd\/.+)($|\/)/;

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
