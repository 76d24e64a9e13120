// The one mountinfo parser (daemon/src/lib/mountinfo.ts) that health and the USB side share.
import { describe, expect, it } from 'vitest';
import { parseMountinfo } from '../../daemon/src/lib/mountinfo.ts';

describe('parseMountinfo', () => {
  it('reads a stick mounted by the unit: source, type, and per-mount and superblock options together', () => {
    const [stick] = parseMountinfo('412 29 8:17 / /run/outpost/usb/sdb1 ro,nosuid,nodev,noexec,relatime shared:220 - vfat /dev/sdb1 ro,fmask=0022,dmask=0022\n');
    expect(stick).toMatchObject({ id: 412, devno: '8:17', root: '/', mount: '/run/outpost/usb/sdb1', fstype: 'vfat', device: '/dev/sdb1', readOnly: true });
    for (const option of ['ro', 'nosuid', 'nodev', 'noexec', 'fmask=0022']) expect(stick!.options.has(option)).toBe(true);
  });

  it('decodes octal escapes in the mount point and the source, and takes no optional fields for the type', () => {
    const [m] = parseMountinfo('30 1 8:2 /a\\040b /mnt/usb\\040stick rw,relatime master:1 shared:2 - ext4 /dev/disk\\134x rw\n');
    expect(m).toMatchObject({ root: '/a b', mount: '/mnt/usb stick', fstype: 'ext4', device: '/dev/disk\\x', readOnly: false });
  });

  it('skips lines without the separator or with too few fields', () => {
    expect(parseMountinfo('garbage\n1 2 3 - ext4\n\n')).toEqual([]);
  });
});
