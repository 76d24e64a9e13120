import { describe, expect, it } from 'vitest';
import { BundleError } from '../../../daemon/src/bundles/errors.ts';
import { decodeHeader, encodeHeader, isExtensionHeader, nonCanonicalField, padding, writeChecksum } from '../../../daemon/src/bundles/tar-header-pure.ts';
import { setBase256Size } from '../../fixtures/bundle-forge/raw-tar.ts';

function codeOf(block: Buffer): string {
  try {
    decodeHeader(block, 'test');
  } catch (error) {
    if (error instanceof BundleError) return error.code;
    throw error;
  }
  return 'ok';
}

describe('ustar headers', () => {
  it('round-trips name, type and size', () => {
    expect(decodeHeader(encodeHeader({ name: 'images/app.tar', size: 12345 }), 'x')).toEqual({ name: 'images/app.tar', type: '0', size: 12345 });
  });

  it('uses base-256 for sizes of 8 GiB and more, and reads it back', () => {
    const size = 9 * 1024 ** 3 + 7;
    const block = encodeHeader({ name: 'big', size });
    expect(block[124]).toBe(0x80);
    expect(decodeHeader(block, 'x').size).toBe(size);
  });

  it('refuses a header whose checksum does not match', () => {
    const block = encodeHeader({ name: 'a', size: 1 });
    block[0] = 0x62;
    expect(codeOf(block)).toBe('bundle.header_checksum');
  });

  it('refuses negative and oversized base-256 sizes', () => {
    const negative = encodeHeader({ name: 'a', size: 1 });
    setBase256Size(negative, -1n);
    expect(codeOf(negative)).toBe('bundle.header_invalid');
    const huge = encodeHeader({ name: 'a', size: 1 });
    setBase256Size(huge, 1n << 60n);
    expect(codeOf(huge)).toBe('bundle.header_invalid');
  });

  it('refuses a non-ustar magic even with a good checksum', () => {
    const block = encodeHeader({ name: 'a', size: 1 });
    block.write('ustar  \0', 257, 'latin1');
    expect(codeOf(writeChecksum(block))).toBe('bundle.header_invalid');
  });

  it('refuses names that use the prefix field', () => {
    expect(codeOf(encodeHeader({ name: 'a', size: 1, prefix: '..' }))).toBe('bundle.member_path_unsafe');
  });

  it('pads to 512-byte blocks and knows the extension header types', () => {
    expect([0, 1, 511, 512, 513].map(padding)).toEqual([0, 511, 1, 0, 511]);
    expect(['x', 'g', 'L', 'K', '0', '2'].map(isExtensionHeader)).toEqual([true, true, true, true, false, false]);
  });

  /** A header for "a", 10 bytes, with raw bytes written at an offset and the checksum fixed. */
  function edited(offset: number, bytes: string | Buffer, size = 10): Buffer {
    const block = encodeHeader({ name: 'a', size });
    if (typeof bytes === 'string') block.write(bytes, offset, 'latin1');
    else bytes.copy(block, offset);
    return writeChecksum(block);
  }

  it.each([
    ['leading spaces', '         12\0'],
    ['no leading zeros', '12\0\0\0\0\0\0\0\0\0\0'],
    ['a space terminator', '00000000012 '],
    ['a space and NUL terminator', '0000000012 \0'],
    ['twelve digits and no terminator', '000000000012'],
    ['bytes after the terminator', '0000000012\0x'],
    ['trailing spaces', '12          '],
  ])('refuses a size spelled with %s, though it reads as 10', (_name, field) => {
    expect(codeOf(edited(124, field))).toBe('bundle.header_size_form');
  });

  it('refuses base-256 for a size that fits in octal, and keeps it for one that does not', () => {
    const small = encodeHeader({ name: 'a', size: 10 });
    setBase256Size(small, 10n);
    expect(codeOf(small)).toBe('bundle.header_size_form');
    const atLimit = encodeHeader({ name: 'a', size: 1 });
    setBase256Size(atLimit, 8n ** 11n - 1n);
    expect(codeOf(atLimit)).toBe('bundle.header_size_form');
    const big = encodeHeader({ name: 'a', size: 8 ** 11 });
    expect(decodeHeader(big, 'x').size).toBe(8 ** 11);
  });

  it('refuses a checksum that is the signed byte sum where it differs from the unsigned one', () => {
    const block = encodeHeader({ name: 'a', size: 10 });
    block.write('\xe9', 265, 'latin1'); // a user name byte above 0x7f
    let signed = 0;
    for (let i = 0; i < 512; i++) signed += i >= 148 && i < 156 ? 0x20 : (block[i]! << 24) >> 24;
    block.write(`${signed.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    expect(codeOf(block)).toBe('bundle.header_checksum');
    expect(codeOf(writeChecksum(block))).toBe('ok');
  });

  function sevenDigitChecksum(): Buffer {
    const block = encodeHeader({ name: 'a', size: 10 });
    block.write(`0${block.toString('latin1', 148, 154)}\0`, 148, 'latin1');
    return block;
  }

  const canonical = (block: Buffer) => nonCanonicalField(block, decodeHeader(block, 'x'));

  it('holds the whole block to the one encoding the builder writes', () => {
    expect(canonical(encodeHeader({ name: 'images/app.tar', size: 12345 }))).toBeNull();
    expect(canonical(encodeHeader({ name: 'x'.repeat(100), size: 0 }))).toBeNull();
    expect(canonical(encodeHeader({ name: 'big', size: 9 * 1024 ** 3 }))).toBeNull();
  });

  it.each([
    ['name', 'bytes after the name', edited(2, 'evil')],
    ['mode', 'mode 0755', edited(100, '0000755\0')],
    ['mode', 'mode 0644 spelled "000644 \\0"', edited(100, '000644 \0')],
    ['mode', 'mode with trailing garbage', edited(100, '0000644x')],
    ['uid', 'uid 1000', edited(108, '0001750\0')],
    ['gid', 'gid spelled with spaces', edited(116, '      0\0')],
    ['mtime', 'an mtime', edited(136, '14712345670\0')],
    ['checksum', 'a checksum of seven digits and a NUL', sevenDigitChecksum()],
    ['type flag', 'the old NUL type flag for a regular file', edited(156, '\0')],
    ['link name', 'a link name on a regular file', edited(157, 'manifest.json')],
    ['user name', 'a user name', edited(265, 'root')],
    ['group name', 'a group name', edited(297, 'root')],
    ['device major', 'a device number', edited(329, '0000001\0')],
    ['unused tail', 'bytes in the unused tail', edited(500, 'x')],
  ])('names the %s field for %s', (field, _name, block) => {
    expect(codeOf(block)).toBe('ok');
    expect(canonical(block)).toMatch(new RegExp(`^the ${field} field is `));
  });
});
