import { describe, expect, it } from 'vitest';
import { LineBuffer } from '../../../daemon/src/support/lines-pure.ts';
import { LogRing } from '../../../daemon/src/lib/log-ring.ts';

describe('line buffer', () => {
  it('splits chunks into lines across chunk boundaries, bytes or text, multi-byte characters intact', () => {
    const lines = new LineBuffer();
    const euro = new TextEncoder().encode('€');
    expect(lines.push('a\nb')).toEqual(['a']);
    expect(lines.push(new Uint8Array([0x63, euro[0]!]))).toEqual([]);
    expect(lines.push(new Uint8Array([euro[1]!, euro[2]!, 0x0a, 0x64]))).toEqual(['bc€']);
    expect(lines.end()).toEqual(['d']);
    expect(lines.end()).toEqual([]);
  });

  it('cuts a line longer than its limit into pieces', () => {
    const lines = new LineBuffer(4);
    expect(lines.push('abcdefghij')).toEqual(['abcd', 'efgh']);
    expect(lines.push('k\n')).toEqual(['ijk']);
  });
});

describe('log ring', () => {
  it('keeps the newest lines within its line and size bounds', () => {
    const ring = new LogRing({ maxLines: 3, maxBytes: 1000 });
    ring.write('1\n2\n');
    ring.write('3\n4\n');
    expect(ring.lines()).toEqual(['2', '3', '4']);
    const small = new LogRing({ maxLines: 100, maxBytes: 10 });
    small.write('aaaa\nbbbb\ncccc\n');
    expect(small.lines()).toEqual(['bbbb', 'cccc']);
    const cut = new LogRing({ maxLineChars: 3 });
    cut.write('abcdef\n');
    expect(cut.lines()).toEqual(['abc…']);
  });
});
