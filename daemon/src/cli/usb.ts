// `outpost usb attach|detach DEVICE`, run as root by outpost-usb@.service (udev starts it for a USB
// block device with a filesystem; its removal stops it, which runs `detach`). `attach` mounts the stick
// read-only, nosuid, nodev, noexec at <mount root>/<device name>, hands it to the agent (which reads,
// verifies, offers and by policy applies), then remounts it read-write only to write the result
// back (and a support bundle when the stick asks for one), fsyncs and unmounts. docs/uploads-and-usb.md.
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { connectAgentSocket, type AgentClient } from '../agent/index.ts';
import type { Config } from '../config/index.ts';
import type { StickState } from '../protocol/arrival.ts';
import {
  isDeviceName, mountReadOnly, probeDevice, remount, RESULT_JSON, RESULT_TEXT, STICK_FILESYSTEMS, unmount, writeDurably,
  type UsbAttachRequest, type UsbAttachResult,
} from '../usb/index.ts';
import { loadConfigOrReport } from './load-config.ts';
import { writeSupportBundleAs } from './support-bundle.ts';

export const DEFAULT_MOUNT_ROOT = '/run/outpost/usb';

export const usbHelp = `usage: outpost usb attach|detach DEVICE [--mount-root DIR] [--home DIR] [--config FILE]

  attach DEVICE   mount the stick read-only (nosuid, nodev, noexec) at DIR/<device name>, let the agent
                  verify, offer and (usb.policy auto) apply its bundles, write outpost-result.json and
                  outpost-result.txt back to it, unmount
  detach DEVICE   the stick was removed: unmount what is left (lazily) and tell the agent

DEVICE is /dev/NAME or NAME. The mount root is usb.mountRoot (default ${DEFAULT_MOUNT_ROOT}). Runs as
root (udev and outpost-usb@.service start it). Exit 0 when the stick was dealt with (whatever its
outcome), 1 when it could not be, 2 on usage.`;

const say = (line: string) => process.stdout.write(`${line}\n`);

function describeStick(s: StickState): string {
  return `${s.phase}: ${s.message}${s.code ? ` [${s.code}]` : ''}`;
}

interface Target {
  name: string;
  devicePath: string;
  mountPoint: string;
}

function targetOf(device: string, config: Config, mountRoot: string | undefined): Target | null {
  const name = path.basename(device);
  if (!isDeviceName(name) || (device.includes('/') && device !== `/dev/${name}`)) return null;
  return { name, devicePath: `/dev/${name}`, mountPoint: path.join(path.resolve(mountRoot ?? config.usb.mountRoot ?? DEFAULT_MOUNT_ROOT), name) };
}

async function openAgent(config: Config): Promise<AgentClient | null> {
  try {
    return await connectAgentSocket(config.agent.socket, 5000);
  } catch (error) {
    process.stderr.write(`outpost: the agent does not answer (${(error as Error).message})\n`);
    return null;
  }
}

/** Mounts the stick, or says why it cannot be read. */
async function mountStick(t: Target): Promise<Omit<UsbAttachRequest, 'device' | 'devicePath'>> {
  const facts = await probeDevice(t.devicePath);
  const base = { fsType: facts.fsType, label: facts.label, serial: facts.serial ?? facts.uuid };
  if (!facts.fsType || !(STICK_FILESYSTEMS as readonly string[]).includes(facts.fsType)) {
    const what = facts.fsType ? `a ${facts.fsType} filesystem` : 'no filesystem Outpost recognises';
    return { ...base, mountPoint: null, problem: { code: 'usb.unsupported_filesystem', message: `This stick holds ${what}; use vfat (FAT32), exFAT or ext4` } };
  }
  try {
    await unmount(t.mountPoint, true); // a mount left by an attach that was killed
    await mountReadOnly(t.devicePath, facts.fsType, t.mountPoint);
    return { ...base, mountPoint: t.mountPoint };
  } catch (error) {
    await unmount(t.mountPoint, true).catch(() => undefined);
    return { ...base, mountPoint: null, problem: { code: 'usb.unreadable', message: `This stick cannot be read (${(error as Error).message})` } };
  }
}

/** Remounts read-write for as long as the writes take; each failure becomes a clear line, never a crash. */
async function writeBack(config: Config, t: Target, result: UsbAttachResult, actor: string, signal: AbortSignal): Promise<Pick<StickState, 'resultFile' | 'supportBundle'>> {
  const out: Pick<StickState, 'resultFile' | 'supportBundle'> = { resultFile: null, supportBundle: null };
  if (!result.write && !result.support) return out;
  try {
    await remount(t.mountPoint, 'rw');
  } catch (error) {
    const message = `the stick could not be made writable: ${(error as Error).message}`;
    return { resultFile: result.write ? { written: false, message } : null, supportBundle: result.support ? { written: false, message } : null };
  }
  if (result.write) {
    try {
      await writeDurably(t.mountPoint, RESULT_JSON, result.write.json);
      await writeDurably(t.mountPoint, RESULT_TEXT, result.write.text);
      out.resultFile = { written: true, message: `${RESULT_JSON} and ${RESULT_TEXT} written` };
    } catch (error) {
      const full = (error as NodeJS.ErrnoException).code === 'ENOSPC';
      out.resultFile = { written: false, message: full ? 'the stick is full: the result could not be written to it' : `the result could not be written: ${(error as Error).message}` };
    }
  }
  if (result.support) {
    try {
      const written = await writeSupportBundleAs(config, t.mountPoint, actor, signal);
      out.supportBundle = { written: true, message: `${path.basename(written.path)} written` };
    } catch (error) {
      const full = (error as NodeJS.ErrnoException).code === 'ENOSPC' || /ENOSPC|no space/i.test((error as Error).message);
      out.supportBundle = { written: false, message: full ? 'the stick is full: no support bundle was written' : `no support bundle: ${(error as Error).message}` };
    }
  }
  await remount(t.mountPoint, 'ro').catch(() => undefined);
  return out;
}

async function attach(config: Config, t: Target): Promise<number> {
  const stat = await lstat(t.devicePath).catch(() => null);
  if (!stat?.isBlockDevice()) {
    process.stderr.write(`outpost: ${t.devicePath} is not a block device\n`);
    return 2;
  }
  const mounted = await mountStick(t);
  say(mounted.problem ? `${t.name}: ${mounted.problem.message}` : `${t.name}: mounted read-only at ${t.mountPoint}`);
  const agent = await openAgent(config);
  if (!agent) {
    await unmount(t.mountPoint, true).catch(() => undefined);
    return 1;
  }
  const cancel = new AbortController();
  const stop = () => cancel.abort(new Error('stopped'));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  try {
    let last = '';
    const result = await agent.usbAttach({ device: t.name, devicePath: t.devicePath, ...mounted }, (s) => {
      const line = describeStick(s);
      if (line !== last) say(`${t.name}: ${(last = line)}`);
    }, cancel.signal);
    const written: Partial<Pick<StickState, 'resultFile' | 'supportBundle'>> = cancel.signal.aborted ? {} : await writeBack(config, t, result, `usb:${mounted.label ?? mounted.serial ?? t.name}`, cancel.signal);
    await unmount(t.mountPoint, cancel.signal.aborted);
    const state = await agent.usbDetach({ device: t.name, reason: 'unmounted', ...written });
    if (written.resultFile) say(`${t.name}: ${written.resultFile.message}`);
    if (written.supportBundle) say(`${t.name}: ${written.supportBundle.message}`);
    say(`${t.name}: unmounted${state.known ? '; you may remove the stick' : ''}`);
    return 0;
  } catch (error) {
    process.stderr.write(`outpost: ${t.name}: ${(error as Error).message}\n`);
    await unmount(t.mountPoint, true).catch(() => undefined);
    return 1;
  } finally {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
    agent.close();
  }
}

async function detach(config: Config, t: Target): Promise<number> {
  await unmount(t.mountPoint, true).catch((error: unknown) => process.stderr.write(`outpost: ${t.name}: ${(error as Error).message}\n`));
  const agent = await openAgent(config);
  if (!agent) return 0;
  try {
    const state = await agent.usbDetach({ device: t.name, reason: 'removed' });
    say(`${t.name}: removed${state.known ? '' : ' (the agent did not know it)'}`);
    return 0;
  } finally {
    agent.close();
  }
}

export async function usbCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { 'mount-root': { type: 'string' }, home: { type: 'string' }, config: { type: 'string' } }, allowPositionals: true, strict: true });
  const [verb, device] = positionals;
  if ((verb !== 'attach' && verb !== 'detach') || !device || positionals.length !== 2) {
    process.stderr.write(`${usbHelp}\n`);
    return 2;
  }
  const config = loadConfigOrReport({ home: values.home, config: values.config });
  if (!config) return 2;
  const target = targetOf(device, config, values['mount-root']);
  if (!target) {
    process.stderr.write(`outpost: not a block device: ${device}\n`);
    return 2;
  }
  return verb === 'attach' ? attach(config, target) : detach(config, target);
}
