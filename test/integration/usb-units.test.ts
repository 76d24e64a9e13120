// The USB stick's unit and udev rule (systemd/outpost-usb@.service, systemd/90-outpost-usb.rules):
// what they promise, systemd's verifier on the unit installed beside the host's own units, and
// udevadm's own rule engine on a real loop device (the USB bus condition aside: a loop device is not
// on USB), where udevadm runs.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/daemon.ts';
import { loopDevicesUsable } from '../helpers/usb-sticks.ts';
import { commandAvailable } from '../release/netns.ts';

const run = promisify(execFile);
const unit = readFileSync(path.join(ROOT, 'systemd/outpost-usb@.service'), 'utf8');
const rule = readFileSync(path.join(ROOT, 'systemd/90-outpost-usb.rules'), 'utf8');
const loops = await loopDevicesUsable();

describe('outpost-usb@.service', () => {
  it('attaches on start, detaches after stop, and is bound to its device', () => {
    for (const line of ['BindsTo=dev-%i.device', 'ExecStart=/opt/outpost/bin/outpost usb attach /dev/%I', 'ExecStopPost=/opt/outpost/bin/outpost usb detach /dev/%I', 'Type=oneshot', 'RemainAfterExit=yes']) {
      expect(unit).toContain(`\n${line}\n`);
    }
  });

  it('runs in the host mount namespace (its mounts must reach the agent) and without network', () => {
    for (const key of ['ProtectSystem', 'PrivateTmp', 'PrivateMounts', 'ProtectHome', 'ReadWritePaths', 'PrivateDevices', 'ProtectKernelTunables', 'ProtectControlGroups']) {
      expect(unit, key).not.toMatch(new RegExp(`^${key}=`, 'm'));
    }
    expect(unit).toMatch(/^PrivateNetwork=yes$/m);
    expect(unit).toMatch(/^RestrictAddressFamilies=AF_UNIX$/m);
    expect(unit).toMatch(/^NoNewPrivileges=yes$/m);
  });

  it('is installed by install.sh with the other units', () => {
    expect(readFileSync(path.join(ROOT, 'scripts/install.sh'), 'utf8')).toMatch(/^UNITS=".*outpost-usb@\.service.*"$/m);
  });

  it.skipIf(!commandAvailable('systemd-analyze') || !existsSync('/lib/systemd/system'))('passes systemd-analyze verify as an instance (outpost-usb@sdb1.service)', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'outpost-usb-unit-'));
    try {
      mkdirSync(path.join(root, 'usr/local/lib/systemd/system'), { recursive: true });
      mkdirSync(path.join(root, 'opt/outpost/bin'), { recursive: true });
      cpSync('/lib/systemd/system', path.join(root, 'usr/lib/systemd/system'), { recursive: true, verbatimSymlinks: true });
      for (const f of ['outpost-usb@.service', 'outpost-agent.socket', 'outpost-agent.service']) cpSync(path.join(ROOT, 'systemd', f), path.join(root, 'usr/local/lib/systemd/system', f));
      writeFileSync(path.join(root, 'opt/outpost/bin/outpost'), '#!/bin/sh\n', { mode: 0o755 });
      const result = await run('systemd-analyze', ['verify', `--root=${root}`, '--man=no', 'outpost-usb@sdb1.service']).then(
        (r) => ({ code: 0, out: r.stdout + r.stderr }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
      );
      expect(result.out.split('\n').filter((l) => l.includes('outpost'))).toEqual([]);
      expect(result.code).toBe(0);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('90-outpost-usb.rules', () => {
  it('starts outpost-usb@<kernel name> for a USB block device with a vfat, exfat or ext4 filesystem, on add only', () => {
    expect(rule).toMatch(/^ACTION!="add", GOTO="outpost_usb_end"$/m);
    expect(rule).toMatch(/^ENV\{ID_BUS\}!="usb", GOTO="outpost_usb_end"$/m);
    expect(rule).toMatch(/^ENV\{ID_FS_TYPE\}=="vfat\|exfat\|ext4", TAG\+="systemd", ENV\{SYSTEMD_WANTS\}\+="outpost-usb@%k\.service"$/m);
  });

  it.skipIf(loops !== null || !commandAvailable('udevadm'))('is read by udevadm test and, on a loop device with ext4, wants outpost-usb@<name>.service', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'outpost-udev-'));
    const image = path.join(dir, 'stick.img');
    const rules = '/run/udev/rules.d';
    // The rule as shipped, and the same without the USB bus condition (a loop device is not on USB).
    const shipped = path.join(rules, `90-outpost-usb-test-${process.pid}.rules`);
    const busless = path.join(rules, `91-outpost-usb-busless-${process.pid}.rules`);
    mkdirSync(rules, { recursive: true });
    writeFileSync(shipped, rule);
    writeFileSync(busless, rule.split('\n').filter((l) => !l.includes('ID_BUS')).join('\n').replaceAll('outpost_usb_end', 'outpost_usb_busless_end'));
    await run('truncate', ['-s', '32M', image]);
    await run('mkfs.ext4', ['-q', image]);
    const device = (await run('losetup', ['-f', '--show', image])).stdout.trim();
    try {
      const r = await run('udevadm', ['test', '--action=add', `/sys/class/block/${path.basename(device)}`], { timeout: 30_000 });
      const out = r.stdout + r.stderr;
      expect(out).toContain(`Reading rules file: ${shipped}`);
      expect(out.split('\n').filter((l) => l.includes('outpost-usb') && /invalid|error|failed/i.test(l))).toEqual([]);
      expect(out).toMatch(new RegExp(`^SYSTEMD_WANTS=.*outpost-usb@${path.basename(device)}\\.service`, 'm'));
    } finally {
      await run('losetup', ['-d', device]).catch(() => undefined);
      rmSync(shipped, { force: true });
      rmSync(busless, { force: true });
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
