// POSIX ustar headers, the only kind format v1 uses: encode (builder, test forge) and a strict
// decode (verifier). Pure. Decoding checks the checksum before trusting any field, refuses numbers
// it cannot represent exactly (negative or oversized base-256, non-octal text) and every other
// spelling of a size; `nonCanonicalField` then holds the whole block to the one encoding the builder
// writes for its name and size, so no two tar readers can take a member for different things.
import { BundleError } from './errors.ts';

export const BLOCK = 512;
export const END_OF_ARCHIVE_BYTES = 2 * BLOCK;
const OCTAL_SIZE_LIMIT = 8 ** 11 - 1;

export type TarTypeFlag = string;

export interface TarHeader {
  name: string;
  /** The type flag as a character; '0' (or NUL) is a regular file. */
  type: TarTypeFlag;
  size: number;
}

export interface TarHeaderFields {
  name: string;
  size: number;
  type?: TarTypeFlag;
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: number;
  linkname?: string;
  prefix?: string;
}

export function padding(size: number): number {
  const rest = size % BLOCK;
  return rest === 0 ? 0 : BLOCK - rest;
}

export function isZeroBlock(block: Uint8Array): boolean {
  for (let i = 0; i < block.length; i++) if (block[i] !== 0) return false;
  return true;
}

function writeOctal(block: Buffer, offset: number, length: number, value: number): void {
  block.write(value.toString(8).padStart(length - 1, '0'), offset, length - 1, 'ascii');
  block[offset + length - 1] = 0;
}

function writeBase256(block: Buffer, offset: number, length: number, value: number): void {
  let rest = BigInt(value);
  for (let i = offset + length - 1; i > offset; i--) {
    block[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  block[offset] = 0x80;
}

function checksumOf(block: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (block[i] ?? 0);
  return sum;
}

/** Recomputes a header's checksum in place (the forge uses it after editing raw fields). */
export function writeChecksum(block: Buffer): Buffer {
  block.write(checksumOf(block).toString(8).padStart(6, '0'), 148, 6, 'ascii');
  block[154] = 0;
  block[155] = 0x20;
  return block;
}

/** A ustar header with fixed, reproducible defaults: mode 0644, uid/gid 0, mtime 0, no names. */
export function encodeHeader(fields: TarHeaderFields): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.write(fields.name, 0, 100, 'utf8');
  writeOctal(block, 100, 8, fields.mode ?? 0o644);
  writeOctal(block, 108, 8, fields.uid ?? 0);
  writeOctal(block, 116, 8, fields.gid ?? 0);
  if (fields.size > OCTAL_SIZE_LIMIT) writeBase256(block, 124, 12, fields.size);
  else writeOctal(block, 124, 12, fields.size);
  writeOctal(block, 136, 12, fields.mtime ?? 0);
  block.write(fields.type ?? '0', 156, 1, 'ascii');
  if (fields.linkname) block.write(fields.linkname, 157, 100, 'utf8');
  block.write('ustar\x0000', 257, 8, 'latin1');
  writeOctal(block, 329, 8, 0);
  writeOctal(block, 337, 8, 0);
  if (fields.prefix) block.write(fields.prefix, 345, 155, 'utf8');
  return writeChecksum(block);
}

function cString(block: Uint8Array, offset: number, length: number): Uint8Array {
  const field = block.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return end === -1 ? field : field.subarray(0, end);
}

/**
 * Reads an octal field the lenient way other tar readers do (leading spaces, digits up to a NUL or
 * space): its value, or null when there are no digits or a non-octal character comes first.
 */
function parseOctal(block: Uint8Array, offset: number, length: number): number | null {
  let i = offset;
  const end = offset + length;
  while (i < end && block[i] === 0x20) i++;
  let value = 0;
  let digits = 0;
  for (; i < end; i++) {
    const c = block[i] ?? 0;
    if (c === 0 || c === 0x20) break;
    if (c < 0x30 || c > 0x37) return null;
    value = value * 8 + (c - 0x30);
    digits++;
  }
  return digits === 0 ? null : value;
}

/** The one spelling the builder writes: length - 1 octal digits, then a NUL. */
function isCanonicalOctal(block: Uint8Array, offset: number, length: number): boolean {
  for (let i = offset; i < offset + length - 1; i++) {
    const c = block[i] ?? 0;
    if (c < 0x30 || c > 0x37) return false;
  }
  return block[offset + length - 1] === 0;
}

/** A raw field for a message: Latin-1, trailing NULs shown as one. */
const fieldText = (block: Uint8Array, offset: number, length: number) =>
  JSON.stringify(Buffer.from(block.subarray(offset, offset + length)).toString('latin1').replace(/\0{2,}$/, '\0'));

function parseSize(block: Uint8Array, where: string): number {
  const first = block[124] ?? 0;
  if ((first & 0x80) === 0) {
    const value = parseOctal(block, 124, 12);
    if (value === null) throw new BundleError('bundle.header_invalid', `${where}: the size field is not an octal number`);
    if (!isCanonicalOctal(block, 124, 12)) {
      throw new BundleError('bundle.header_size_form', `${where}: the size field ${fieldText(block, 124, 12)} is not 11 octal digits and a NUL`);
    }
    return value;
  }
  if (first & 0x40) throw new BundleError('bundle.header_invalid', `${where}: the size field is a negative base-256 number`);
  let value = first & 0x3f;
  for (let i = 125; i < 136; i++) {
    value = value * 256 + (block[i] ?? 0);
    if (value > Number.MAX_SAFE_INTEGER) throw new BundleError('bundle.header_invalid', `${where}: the size field is larger than 2^53`);
  }
  if (value <= OCTAL_SIZE_LIMIT) throw new BundleError('bundle.header_size_form', `${where}: the size ${value} is written in base-256, but it fits in octal`);
  return value;
}

// ignoreBOM: a name starting with a byte-order mark keeps it (and is refused), never loses it.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decodes one header block. `where` names the position for messages ("header of member 3").
 * Names are returned as found; the caller compares them with the manifest and never uses them as paths.
 */
export function decodeHeader(block: Uint8Array, where: string): TarHeader {
  const stored = parseOctal(block, 148, 8);
  if (stored === null || stored !== checksumOf(block)) throw new BundleError('bundle.header_checksum', `${where}: header checksum does not match`);
  const magic = Buffer.from(block.subarray(257, 265)).toString('latin1');
  if (magic !== 'ustar\x0000') throw new BundleError('bundle.header_invalid', `${where}: not a POSIX ustar header`);
  const size = parseSize(block, where);
  const type = String.fromCharCode(block[156] ?? 0);
  let name: string;
  try {
    name = utf8.decode(cString(block, 0, 100));
  } catch {
    throw new BundleError('bundle.member_path_unsafe', `${where}: the member name is not valid UTF-8`);
  }
  if (cString(block, 345, 155).length > 0) {
    throw new BundleError('bundle.member_path_unsafe', `${where}: ${JSON.stringify(name)} uses the ustar prefix field`, { member: name });
  }
  return { name, type: type === '\0' ? '0' : type, size };
}

const FIELDS: readonly [offset: number, length: number, name: string][] = [
  [0, 100, 'name'], [100, 8, 'mode'], [108, 8, 'uid'], [116, 8, 'gid'], [124, 12, 'size'], [136, 12, 'mtime'], [148, 8, 'checksum'],
  [156, 1, 'type flag'], [157, 100, 'link name'], [257, 8, 'magic and version'], [265, 32, 'user name'], [297, 32, 'group name'],
  [329, 8, 'device major'], [337, 8, 'device minor'], [345, 155, 'prefix'], [500, 12, 'unused tail'],
];
const CHECKSUM_FIELD = [148, 8, 'checksum'] as const;

/**
 * Null when the block is byte for byte what encodeHeader writes for its name and size (type '0',
 * mode 0644, ids and mtime 0, no names, checksum as six digits, NUL, space), else which field differs.
 */
export function nonCanonicalField(block: Uint8Array, header: TarHeader): string | null {
  const expected = encodeHeader({ name: header.name, size: header.size });
  if (expected.equals(block)) return null;
  // The checksum follows every other field, so it is the one named only when nothing else differs.
  const differs = ([offset, length]: readonly [number, number, string]) =>
    !expected.subarray(offset, offset + length).equals(block.subarray(offset, offset + length));
  const [offset, length, name] = FIELDS.find((field) => field[2] !== 'checksum' && differs(field)) ?? CHECKSUM_FIELD;
  return `the ${name} field is ${fieldText(block, offset, length)} where the format writes ${fieldText(expected, offset, length)}`;
}

export function describeType(type: TarTypeFlag): string {
  const names: Record<string, string> = { '1': 'a hard link', '2': 'a symbolic link', '3': 'a character device', '4': 'a block device', '5': 'a directory', '6': 'a FIFO', '7': 'a contiguous file' };
  return names[type] ?? `an entry of type ${JSON.stringify(type)}`;
}

/** PAX and GNU extension headers: format v1 never uses them, since they can rename the next member. */
export function isExtensionHeader(type: TarTypeFlag): boolean {
  return type === 'x' || type === 'g' || type === 'L' || type === 'K' || type === 'X';
}
