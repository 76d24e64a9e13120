// Parses /proc/self/mountinfo (proc(5)): mount point, per-mount and superblock options, source.
// Pure. Octal escapes (`\040` for a space) are decoded.

export interface MountEntry {
  mountPoint: string;
  fsType: string;
  source: string;
  /** Per-mount options and superblock options together (`ro`, `nosuid`, …). */
  options: Set<string>;
}

const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

export function parseMountInfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const dash = line.indexOf(' - ');
    if (dash < 0) continue;
    const left = line.slice(0, dash).split(' ');
    const right = line.slice(dash + 3).split(' ');
    if (left.length < 6 || right.length < 3) continue;
    const options = new Set([...left[5]!.split(','), ...right[2]!.split(',')]);
    out.push({ mountPoint: unescape(left[4]!), fsType: right[0]!, source: unescape(right[1]!), options });
  }
  return out;
}
