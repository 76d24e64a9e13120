// Hostile corpus, part 4: tar headers in another encoding than the one the builder writes. Each
// header keeps a valid checksum (recomputed after the edit), so only the encoding is wrong; most
// still say the same name and size to a lenient tar reader, which is the point.
import { BLOCK, writeChecksum } from '../../daemon/src/bundles/tar-header-pure.ts';
import { gnuLongName, paxHeader, setBase256Size } from '../fixtures/bundle-forge/raw-tar.ts';
import { encodeHeader, padding } from '../../daemon/src/bundles/tar-header-pure.ts';
import { headerOffset, member } from './forge-edits.ts';
import type { HostileCase } from './hostile-case.ts';

const notes = 'NOTES.md';
const app = 'manifests/app.yaml';

/** Writes raw bytes into a member's header at `offset` and fixes the checksum. */
function headerField(name: string, offset: number, bytes: string | ((octalSize: string) => string)): HostileCase['mutate'] {
  return (b) => {
    const target = name === 'first' ? b.members[0]! : member(b, name);
    target.editHeader = (h) => {
      const octal = target.body.length.toString(8);
      h.write(typeof bytes === 'string' ? bytes : bytes(octal), offset, 'latin1');
      writeChecksum(h);
    };
  };
}

function sizeSpelled(name: string, code: HostileCase['code'], spell: (octal: string) => string): HostileCase {
  return { name, code, member: notes, mutate: headerField(notes, 124, (octal) => spell(octal).padEnd(12, '\0')) };
}

/** A GNU long link name ('K') block, which renames a link target. */
function gnuLongLink(target: string): Buffer {
  const bytes = Buffer.from(`${target}\0`);
  return Buffer.concat([encodeHeader({ name: '././@LongLink', size: bytes.length, type: 'K' }), bytes, Buffer.alloc(padding(bytes.length))]);
}

function extension(name: string, before: string, block: () => Buffer): HostileCase {
  return { name, code: 'bundle.member_extended_header', mutate: (b) => void (member(b, before).before = [block()]) };
}

export const headerCases: HostileCase[] = [
  // size spellings (each still reads as the right size to a lenient reader)
  sizeSpelled('a size with leading spaces instead of zeros', 'bundle.header_size_form', (o) => `${o.padStart(11, ' ')}\0`),
  sizeSpelled('a size without leading zeros', 'bundle.header_size_form', (o) => `${o}\0`),
  sizeSpelled('a size ended by a space', 'bundle.header_size_form', (o) => `${o.padStart(11, '0')} `),
  sizeSpelled('a size of twelve digits and no terminator', 'bundle.header_size_form', (o) => o.padStart(12, '0')),
  sizeSpelled('a size with bytes after its terminator', 'bundle.header_size_form', (o) => `${o.padStart(9, '0')}\0x`),
  sizeSpelled('a size with trailing spaces', 'bundle.header_size_form', (o) => o.padEnd(12, ' ')),
  {
    name: 'a size in base-256 though it fits in octal',
    code: 'bundle.header_size_form',
    member: notes,
    mutate: (b) => void (member(b, notes).editHeader = (h) => setBase256Size(h, BigInt(member(b, notes).body.length))),
  },
  // extension headers that would change what the next member is
  extension('a PAX size record before a listed member', app, () => paxHeader({ size: '0' })),
  extension('a PAX path record that spells the listed name', app, () => paxHeader({ path: app })),
  extension('a GNU long name that spells the listed name', notes, () => gnuLongName(notes)),
  extension('a GNU long link name before a member', notes, () => gnuLongLink('/etc/shadow')),
  // type flags that some readers take for a regular file
  { name: 'the old NUL type flag for a regular file', code: 'bundle.header_not_canonical', member: notes, mutate: headerField(notes, 156, '\0') },
  { name: 'a contiguous file (type 7)', code: 'bundle.member_not_regular', member: notes, mutate: (b) => void (member(b, notes).type = '7') },
  { name: 'a GNU sparse file (type S)', code: 'bundle.member_not_regular', member: notes, mutate: (b) => void (member(b, notes).type = 'S') },
  // checksums
  {
    name: 'a checksum that is the signed byte sum',
    code: 'bundle.header_checksum',
    member: notes,
    mutate: (b) =>
      void (member(b, notes).editHeader = (h) => {
        h.write('\xe9', 265, 'latin1');
        let signed = 0;
        for (let i = 0; i < BLOCK; i++) signed += i >= 148 && i < 156 ? 0x20 : (h[i]! << 24) >> 24;
        h.write(`${signed.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
      }),
  },
  {
    name: 'a checksum spelled as seven digits and a NUL',
    code: 'bundle.header_not_canonical',
    member: notes,
    mutate: (b) => void (member(b, notes).editHeader = (h) => void h.write(`0${h.toString('latin1', 148, 154)}\0`, 148, 'latin1')),
  },
  // fields the verifier never uses, in the one encoding all the same
  { name: 'a member with mode 0755', code: 'bundle.header_not_canonical', member: notes, mutate: headerField(notes, 100, '0000755\0') },
  { name: 'mode 0644 spelled the old way ("000644 \\0")', code: 'bundle.header_not_canonical', member: notes, mutate: headerField(notes, 100, '000644 \0') },
  { name: 'a mode field with trailing garbage', code: 'bundle.header_not_canonical', member: notes, mutate: headerField(notes, 100, '0000644x') },
  { name: 'manifest.json with mode 0600', code: 'bundle.header_not_canonical', member: 'manifest.json', mutate: headerField('first', 100, '0000600\0') },
  { name: 'a member owned by uid 1000', code: 'bundle.header_not_canonical', member: notes, mutate: headerField(notes, 108, '0001750\0') },
  { name: 'a gid spelled with spaces', code: 'bundle.header_not_canonical', member: notes, mutate: headerField(notes, 116, '      0\0') },
  { name: 'a member with an mtime', code: 'bundle.header_not_canonical', member: notes, mutate: headerField(notes, 136, '15000000000\0') },
  { name: 'a member with a user and group name', code: 'bundle.header_not_canonical', member: notes, mutate: headerField(notes, 265, 'root') },
  { name: 'a regular file with a link name', code: 'bundle.header_not_canonical', member: notes, mutate: headerField(notes, 157, 'manifest.json') },
  { name: 'a name field with bytes after its NUL', code: 'bundle.header_not_canonical', member: notes, mutate: headerField(notes, 9, '../../etc/evil') },
  { name: 'a regular file with device numbers', code: 'bundle.header_not_canonical', member: notes, mutate: headerField(notes, 329, '0000010\0') },
  { name: 'bytes in the unused tail of a header', code: 'bundle.header_not_canonical', member: notes, mutate: headerField(notes, 500, 'x') },
  // names
  {
    name: 'a ustar prefix that builds the listed path',
    code: 'bundle.member_path_unsafe',
    member: 'app.yaml',
    mutate: (b) => Object.assign(member(b, app), { name: 'app.yaml', prefix: 'manifests' }),
  },
  {
    name: 'a member name starting with a UTF-8 byte-order mark',
    code: 'bundle.member_path_unsafe',
    member: `\ufeff${notes}`,
    mutate: (b) => void (member(b, notes).name = `\ufeff${notes}`),
  },
  // padding
  {
    name: 'non-zero bytes in the padding after a payload member',
    code: 'bundle.member_padding_not_zero',
    member: notes,
    bytes: (raw, b) => {
      const out = Buffer.from(raw);
      out[headerOffset(b, notes) + BLOCK + member(b, notes).body.length] = 0x78;
      return out;
    },
  },
  {
    name: 'non-zero bytes in the padding after manifest.json',
    code: 'bundle.member_padding_not_zero',
    member: 'manifest.json',
    bytes: (raw, b) => {
      const out = Buffer.from(raw);
      out[BLOCK + b.members[0]!.body.length + 3] = 0x78;
      return out;
    },
  },
];
