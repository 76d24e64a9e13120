// Pure: turns the raw identity files (os-release, DMI, device tree, machine-id) and uname facts into
// the identity sample. Firmware placeholders ("To be filled by O.E.M.") read as unknown.
import type { IdentitySample } from '../protocol/health.ts';

/** Raw file contents (null: absent or unreadable) and uname facts. */
export interface IdentityFiles {
  hostname: string;
  kernel: string;
  arch: string;
  /** `os.type()`, e.g. Linux: the last resort for the OS name. */
  osType: string;
  osRelease: string | null;
  dmiVendor: string | null;
  dmiProduct: string | null;
  dmiBoardVendor: string | null;
  dmiBoardName: string | null;
  dmiSerial: string | null;
  deviceTreeModel: string | null;
  deviceTreeSerial: string | null;
  machineId: string | null;
}

const PLACEHOLDER =
  /^(default string|to be filled by o\.e\.m\.|not specified|not applicable|system (serial number|product name|manufacturer)|none|n\/a|0+|-|x+)$/i;

/** Trimmed text without the device tree's trailing NULs, or null for empty and placeholder values. */
export function usableValue(raw: string | null | undefined): string | null {
  const s = raw?.replace(/\0+$/g, '').trim();
  if (!s || PLACEHOLDER.test(s)) return null;
  return s;
}

/** Parses os-release (KEY=value lines, values optionally quoted with shell escapes). */
export function parseOsRelease(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!match?.[1]) continue;
    let value = match[2] ?? '';
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
      value = value.slice(1, -1);
      if (quote === '"') value = value.replace(/\\([$"\\`])/g, '$1');
    }
    fields.set(match[1], value);
  }
  return fields;
}

function osName(text: string | null, fallback: string): string {
  if (text === null) return fallback;
  const fields = parseOsRelease(text);
  const pretty = usableValue(fields.get('PRETTY_NAME'));
  if (pretty) return pretty;
  const named = [usableValue(fields.get('NAME')), usableValue(fields.get('VERSION') ?? fields.get('VERSION_ID'))].filter(Boolean).join(' ');
  return named || fallback;
}

function hardwareModel(files: IdentityFiles): string | null {
  const vendor = usableValue(files.dmiVendor);
  const product = usableValue(files.dmiProduct);
  // A product name often repeats its vendor ("Dell Inc. Dell OptiPlex"): say the vendor once.
  if (product) return vendor && !product.toLowerCase().startsWith(vendor.toLowerCase()) ? `${vendor} ${product}` : product;
  const board = [usableValue(files.dmiBoardVendor), usableValue(files.dmiBoardName)].filter(Boolean).join(' ');
  return board || usableValue(files.deviceTreeModel) || vendor;
}

export function identityFromFiles(files: IdentityFiles): IdentitySample {
  return {
    hostname: files.hostname,
    os: osName(files.osRelease, `${files.osType} ${files.kernel}`),
    kernel: files.kernel,
    arch: files.arch,
    model: hardwareModel(files),
    // The firmware's serial when readable (DMI is root-only on most boards), a board's device-tree
    // serial, else the machine id, which is what this field showed before (systeminformation's osInfo).
    serial: usableValue(files.dmiSerial) ?? usableValue(files.deviceTreeSerial) ?? usableValue(files.machineId),
  };
}
