import { describe, expect, it } from 'vitest';
import { realFilesystems } from '../../../daemon/src/health/parse-mounts.ts';
import { parseMountinfo, unescapeMountPath } from '../../../daemon/src/lib/mountinfo.ts';
import { fixture } from './fixture.ts';

const mounts = (machine: string) => realFilesystems(parseMountinfo(fixture(machine, 'proc/self/mountinfo'))).map((m) => m.mount);

describe('real filesystems from mountinfo', () => {
  it('keeps only the root disk on the recorded VM (cgroup, tmpfs, devpts, proc and sysfs skipped)', () => {
    expect(mounts('vm-no-sensors')).toEqual(['/']);
  });

  it('reports each device once on the edge box and skips pseudo, squashfs, overlay and kubelet mounts', () => {
    expect(mounts('edge-rack')).toEqual(['/', '/boot/efi', '/data', '/mnt/nfs', '/mnt/usb stick', '/opt/app', '/var']);
  });

  it('keeps the mount that shows the device root when the same device is bind-mounted elsewhere', () => {
    const fs = realFilesystems(parseMountinfo(fixture('edge-rack', 'proc/self/mountinfo')));
    const data = fs.find((m) => m.devno === '8:17')!;
    expect(data.mount).toBe('/data');
    expect(data.root).toBe('/');
  });

  it('prefers the shortest path when every mount of a device is a bind of a sub-tree', () => {
    const text = [
      '1 0 8:1 /a/b /srv/long/path rw - ext4 /dev/sda1 rw',
      '2 0 8:1 /a/b /srv/x rw - ext4 /dev/sda1 rw',
    ].join('\n');
    expect(realFilesystems(parseMountinfo(text)).map((m) => m.mount)).toEqual(['/srv/x']);
  });

  it('shows a container its overlay root and its data volume, not the runtime-injected /etc files', () => {
    expect(mounts('container')).toEqual(['/', '/var/lib/outpost']);
  });

  it('marks read-only mounts', () => {
    const fs = realFilesystems(parseMountinfo(fixture('edge-rack', 'proc/self/mountinfo')));
    expect(fs.find((m) => m.mount === '/opt/app')!.readOnly).toBe(true);
    expect(fs.find((m) => m.mount === '/')!.readOnly).toBe(false);
  });

  it('uses the last mount stacked over the same mount point', () => {
    const text = ['1 0 8:1 / /mnt rw - ext4 /dev/sda1 rw', '2 1 8:2 / /mnt rw - xfs /dev/sda2 rw'].join('\n');
    expect(realFilesystems(parseMountinfo(text)).map((m) => m.device)).toEqual(['/dev/sda2']);
  });

  it('undoes octal escapes in paths', () => {
    expect(unescapeMountPath('/mnt/usb\\040stick\\011x')).toBe('/mnt/usb stick\tx');
  });

  it('ignores lines without the separator', () => {
    expect(parseMountinfo('garbage line\n\n')).toEqual([]);
  });
});
