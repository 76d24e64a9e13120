// Hostile corpus, part 2: the tar framing and the payload members.
import { BLOCK } from '../../daemon/src/bundles/tar-header-pure.ts';
import { writeChecksum } from '../../daemon/src/bundles/tar-header-pure.ts';
import { gnuLongName, paxHeader, serializeMembers, setBase256Size } from '../fixtures/bundle-forge/raw-tar.ts';
import { headerOffset, insertAfter, member, removeMember } from './forge-edits.ts';
import type { HostileCase } from './hostile-case.ts';

const notes = 'NOTES.md';
const chart = 'charts/hello-0.1.0.tgz';
const image = 'images/hello.tar';

function renameNotes(name: string): HostileCase['mutate'] {
  return (b) => void (member(b, notes).name = name);
}

function notesOfType(type: string, linkname?: string): HostileCase['mutate'] {
  return (b) => Object.assign(member(b, notes), { type, body: Buffer.alloc(0), ...(linkname ? { linkname } : {}) });
}

export const archiveCases: HostileCase[] = [
  { name: 'tar-slip with ".." in a member name', code: 'bundle.member_path_unsafe', member: '../../etc/cron.d/evil', mutate: renameNotes('../../etc/cron.d/evil') },
  { name: 'tar-slip with an absolute member name', code: 'bundle.member_path_unsafe', member: '/etc/cron.d/evil', mutate: renameNotes('/etc/cron.d/evil') },
  { name: 'tar-slip with backslashes in a member name', code: 'bundle.member_path_unsafe', mutate: renameNotes('..\\..\\evil.md') },
  { name: 'tar-slip through the ustar prefix field', code: 'bundle.member_path_unsafe', member: notes, mutate: (b) => void (member(b, notes).prefix = '../../..') },
  { name: 'tar-slip through a PAX path record', code: 'bundle.member_extended_header', mutate: (b) => void (member(b, notes).before = [paxHeader({ path: '../../etc/cron.d/evil' })]) },
  { name: 'tar-slip through a GNU long name', code: 'bundle.member_extended_header', mutate: (b) => void (member(b, notes).before = [gnuLongName(`../../${'a'.repeat(150)}`)]) },
  { name: 'a PAX global header before the manifest', code: 'bundle.member_extended_header', mutate: (b) => void (b.members[0]!.before = [paxHeader({ comment: 'hi' })]) },
  { name: 'a symlink in place of a listed file', code: 'bundle.member_not_regular', member: notes, mutate: notesOfType('2', '/etc/shadow') },
  { name: 'a hard link in place of a listed file', code: 'bundle.member_not_regular', member: notes, mutate: notesOfType('1', 'manifest.json') },
  { name: 'a character device in place of a listed file', code: 'bundle.member_not_regular', member: notes, mutate: notesOfType('3') },
  { name: 'a block device in place of a listed file', code: 'bundle.member_not_regular', member: notes, mutate: notesOfType('4') },
  { name: 'a FIFO in place of a listed file', code: 'bundle.member_not_regular', member: notes, mutate: notesOfType('6') },
  { name: 'a directory member', code: 'bundle.member_not_regular', member: 'images/', mutate: (b) => insertAfter(b, chart, { name: 'images/', body: Buffer.alloc(0), type: '5' }) },
  { name: 'a listed member that appears twice', code: 'bundle.member_unexpected', member: notes, mutate: (b) => insertAfter(b, notes, { name: notes, body: member(b, notes).body }) },
  { name: 'a member the manifest does not list', code: 'bundle.member_unexpected', member: 'extra.sh', mutate: (b) => insertAfter(b, notes, { name: 'extra.sh', body: Buffer.from('#!/bin/sh\n') }) },
  { name: 'an unlisted member after the last listed one', code: 'bundle.member_unexpected', member: 'extra.sh', mutate: (b) => insertAfter(b, image, { name: 'extra.sh', body: Buffer.from('#!/bin/sh\n') }) },
  { name: 'listed members out of order', code: 'bundle.member_missing', member: 'manifests/app.yaml', mutate: (b) => void b.members.splice(3, 0, ...b.members.splice(4, 1)) },
  { name: 'a listed member missing in the middle', code: 'bundle.member_missing', member: chart, mutate: (b) => removeMember(b, chart) },
  { name: 'the last listed member missing', code: 'bundle.member_missing', member: image, mutate: (b) => removeMember(b, image) },
  { name: 'a member larger than listed', code: 'bundle.member_size_mismatch', member: notes, mutate: (b) => void (member(b, notes).body = Buffer.concat([member(b, notes).body, Buffer.from('more\n')])) },
  { name: 'a member smaller than listed', code: 'bundle.member_size_mismatch', member: notes, mutate: (b) => void (member(b, notes).body = member(b, notes).body.subarray(1)) },
  {
    name: 'a member whose header claims a larger size than its data',
    code: 'bundle.member_size_mismatch',
    member: image,
    mutate: (b) => void (member(b, image).headerSize = member(b, image).body.length + BLOCK),
  },
  {
    name: 'a member with the listed size but another digest',
    code: 'bundle.member_digest_mismatch',
    member: chart,
    mutate: (b) => {
      const body = Buffer.from(member(b, chart).body);
      body[body.length - 5]! ^= 0x01;
      member(b, chart).body = body;
    },
  },
  {
    name: 'an image with one byte changed in its last block',
    code: 'bundle.member_digest_mismatch',
    member: image,
    mutate: (b) => {
      const body = Buffer.from(member(b, image).body);
      body[body.length - 1]! ^= 0x80;
      member(b, image).body = body;
    },
  },
  { name: 'an empty source', code: 'bundle.archive_truncated', bytes: () => Buffer.alloc(0) },
  { name: 'truncation inside the manifest', code: 'bundle.archive_truncated', member: 'manifest.json', bytes: (raw) => raw.subarray(0, BLOCK + 100) },
  { name: 'truncation inside a header', code: 'bundle.archive_truncated', member: chart, bytes: (raw, b) => raw.subarray(0, headerOffset(b, chart) + 200) },
  { name: 'truncation exactly where a header should start', code: 'bundle.archive_truncated', member: image, bytes: (raw, b) => raw.subarray(0, headerOffset(b, image)) },
  { name: 'truncation in the middle of a payload', code: 'bundle.archive_truncated', member: image, bytes: (raw, b) => raw.subarray(0, headerOffset(b, image) + BLOCK + 3000) },
  { name: 'a missing end-of-archive marker', code: 'bundle.archive_truncated', mutate: (b) => void (b.tail = Buffer.alloc(0)) },
  { name: 'half an end-of-archive marker', code: 'bundle.archive_truncated', mutate: (b) => void (b.tail = Buffer.alloc(BLOCK)) },
  { name: 'data after the end of the archive', code: 'bundle.trailing_data', mutate: (b) => void (b.tail = Buffer.concat([Buffer.alloc(2 * BLOCK), Buffer.from('#!/bin/sh\n')])) },
  { name: 'a whole tar member after the end of the archive', code: 'bundle.trailing_data', mutate: (b) => void (b.tail = Buffer.concat([Buffer.alloc(2 * BLOCK), serializeMembers([{ name: 'evil.sh', body: Buffer.from('#!/bin/sh\n') }])])) },
  { name: 'a data block between the two end-of-archive blocks', code: 'bundle.trailing_data', mutate: (b) => void (b.tail = Buffer.concat([Buffer.alloc(BLOCK), Buffer.alloc(BLOCK, 0x41), Buffer.alloc(BLOCK)])) },
  { name: 'more than 64 KiB of zeros after the end', code: 'bundle.trailing_data', mutate: (b) => void (b.tail = Buffer.alloc(2 * BLOCK + 128 * 1024)) },
  { name: 'a payload header with a bad checksum', code: 'bundle.header_checksum', member: chart, mutate: (b) => void (member(b, chart).editHeader = (h) => void (h[0]! ^= 0x20)) },
  { name: 'the manifest header with a bad checksum', code: 'bundle.header_checksum', member: 'manifest.json', mutate: (b) => void (b.members[0]!.editHeader = (h) => void h.write('0000000', 148, 'ascii')) },
  { name: 'a header with a negative base-256 size (must not hang)', code: 'bundle.header_invalid', member: notes, mutate: (b) => void (member(b, notes).editHeader = (h) => setBase256Size(h, -512n)) },
  { name: 'a header with a base-256 size beyond 2^53', code: 'bundle.header_invalid', mutate: (b) => void (member(b, notes).editHeader = (h) => setBase256Size(h, 1n << 80n)) },
  {
    name: 'a header whose size field is not octal',
    code: 'bundle.header_invalid',
    mutate: (b) => void (member(b, notes).editHeader = (h) => {
      h.write('0000000009a\0', 124, 'ascii');
      writeChecksum(h);
    }),
  },
  {
    name: 'a GNU-format (not POSIX ustar) header',
    code: 'bundle.header_invalid',
    mutate: (b) => void (member(b, notes).editHeader = (h) => {
      h.write('ustar  \0', 257, 'latin1');
      writeChecksum(h);
    }),
  },
  { name: 'a bundle whose first member is not manifest.json', code: 'bundle.manifest_missing', mutate: (b) => removeMember(b, 'manifest.json') },
];
