import { describe, expect, it } from 'vitest';
import { BundleError } from '../../../daemon/src/bundles/errors.ts';
import { decodeHeader, encodeHeader, isExtensionHeader, padding, writeChecksum } from '../../../daemon/src/bundles/tar-header-pure.ts';
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
});
