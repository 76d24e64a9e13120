// Walks format-v1 tar framing on a ByteReader: next member header (checked: a regular file with a
// safe plain name, no extension headers, in its one canonical encoding), bounded small bodies,
// zero padding, and the end-of-archive rules.
// Member names are only ever compared with the manifest, never used as paths.
import type { ByteReader } from './byte-reader.ts';
import { BundleError } from './errors.ts';
import { quoteName, unsafePathReason } from './payload-paths-pure.ts';
import { BLOCK, decodeHeader, describeType, isExtensionHeader, isZeroBlock, nonCanonicalField, padding, type TarHeader } from './tar-header-pure.ts';

/** Zero bytes tolerated after the end-of-archive marker (tar's record padding is at most 10 KiB). */
export const MAX_TRAILING_ZEROS = 64 * 1024;

export type NextMember = { kind: 'member'; header: TarHeader } | { kind: 'end' };

/** Reads the next header block. `expected` names the member that should come, for messages. */
export async function readMemberHeader(reader: ByteReader, index: number, expected: string): Promise<NextMember> {
  const where = `member ${index + 1} (expected ${expected})`;
  const block = await reader.read(BLOCK);
  if (block.length < BLOCK) {
    throw new BundleError('bundle.archive_truncated', `the archive ends inside the header of member ${index + 1} (expected ${expected})`, { member: expected });
  }
  if (isZeroBlock(block)) return { kind: 'end' };
  let header: TarHeader;
  try {
    header = decodeHeader(block, `header of ${where}`);
  } catch (error) {
    // A header too broken to trust its name is reported against the member that should be there.
    if (error instanceof BundleError && error.member === undefined) throw new BundleError(error.code, error.message, { member: expected });
    throw error;
  }
  const name = quoteName(header.name);
  if (isExtensionHeader(header.type)) {
    throw new BundleError('bundle.member_extended_header', `${where}: ${name} is a PAX or GNU extension header, which can rename members`, { member: header.name });
  }
  if (header.type !== '0') {
    throw new BundleError('bundle.member_not_regular', `${where}: ${name} is ${describeType(header.type)}, not a regular file`, { member: header.name });
  }
  const unsafe = unsafePathReason(header.name);
  if (unsafe !== null) {
    throw new BundleError('bundle.member_path_unsafe', `${where}: member name ${name} ${unsafe}`, { member: header.name });
  }
  const differs = nonCanonicalField(block, header);
  if (differs !== null) throw new BundleError('bundle.header_not_canonical', `${where}: ${name}: ${differs}`, { member: header.name });
  return { kind: 'member', header };
}

/** Reads a whole small member body (size already bounded by the caller) and its padding. */
export async function readSmallBody(reader: ByteReader, header: TarHeader): Promise<Buffer> {
  const body = await reader.read(header.size);
  if (body.length < header.size) {
    throw new BundleError('bundle.archive_truncated', `the archive ends inside ${header.name} (${body.length} of ${header.size} bytes)`, { member: header.name });
  }
  await skipPadding(reader, header);
  return body;
}

/** The zeros that fill a member's last block: any other byte would be data no reader accounts for. */
export async function skipPadding(reader: ByteReader, header: TarHeader): Promise<void> {
  const pad = await reader.read(padding(header.size));
  if (pad.length < padding(header.size)) {
    throw new BundleError('bundle.archive_truncated', `the archive ends inside the padding after ${header.name}`, { member: header.name });
  }
  if (!isZeroBlock(pad)) throw new BundleError('bundle.member_padding_not_zero', `the padding after ${header.name} holds non-zero bytes`, { member: header.name });
}

/**
 * After the first zero block: the second must be zero too, then only zero padding (bounded) until
 * the source ends. A header where the end should be is a member the manifest does not list.
 */
export async function expectEndOfArchive(reader: ByteReader): Promise<void> {
  const second = await reader.read(BLOCK);
  if (second.length < BLOCK) throw new BundleError('bundle.archive_truncated', 'the archive ends inside its end-of-archive marker');
  if (!isZeroBlock(second)) throw new BundleError('bundle.trailing_data', 'data follows the first end-of-archive block');
  let seen = 0;
  for (;;) {
    const tail = await reader.read(BLOCK);
    if (tail.length === 0) return;
    if (!isZeroBlock(tail)) throw new BundleError('bundle.trailing_data', `non-zero data at byte ${reader.position - tail.length}, after the end of the archive`);
    seen += tail.length;
    if (seen > MAX_TRAILING_ZEROS) throw new BundleError('bundle.trailing_data', `more than ${MAX_TRAILING_ZEROS} bytes follow the end of the archive`);
  }
}

/** A header found where the end-of-archive should be. */
export function unlistedMember(header: TarHeader): BundleError {
  return new BundleError('bundle.member_unexpected', `member ${JSON.stringify(header.name)} is not listed in the manifest`, { member: header.name });
}
