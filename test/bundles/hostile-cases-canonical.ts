// Hostile corpus, part 3: manifest.json spelled another way than its one canonical form, and
// payload paths that two readers or file systems could take for different (or the same) files.
// Every case is signed again after its edit, so it reaches the parser past the signature check.
import { remanifest } from '../fixtures/bundle-forge/forge.ts';
import { editManifestBytes, editManifestText, listPath } from './forge-edits.ts';
import type { HostileCase } from './hostile-case.ts';

const man = 'manifest.json';

function spelled(name: string, code: HostileCase['code'], from: string | RegExp, to: string): HostileCase {
  return { name, code, member: man, mutate: (b) => editManifestText(b, from, to) };
}

function rewritten(name: string, code: HostileCase['code'], edit: (bytes: Buffer) => Buffer): HostileCase {
  return { name, code, member: man, mutate: (b) => editManifestBytes(b, edit) };
}

const reindented = (text: string, indent: number) => Buffer.from(`${JSON.stringify(JSON.parse(text), null, indent)}\n`);

function annotated(name: string, code: HostileCase['code'], annotations: Record<string, unknown>, from?: string, to?: string): HostileCase {
  return {
    name,
    code,
    member: man,
    mutate: (b) => {
      b.manifest.annotations = annotations;
      remanifest(b);
      if (from !== undefined && to !== undefined) editManifestText(b, from, to);
    },
  };
}

function listed(name: string, code: HostileCase['code'], ...paths: string[]): HostileCase {
  return { name, code, member: man, mutate: (b) => paths.forEach((path, i) => listPath(b, i, path)) };
}

const text = (bytes: Buffer) => bytes.toString('utf8');

export const canonicalCases: HostileCase[] = [
  // byte-order marks
  rewritten('a manifest starting with a UTF-8 byte-order mark', 'bundle.manifest_byte_order_mark', (m) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), m])),
  rewritten('a manifest in UTF-16 with a byte-order mark', 'bundle.manifest_byte_order_mark', (m) =>
    Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text(m), 'utf16le')]),
  ),
  // whitespace
  rewritten('a manifest written on one line', 'bundle.manifest_whitespace', (m) => reindented(text(m), 0)),
  rewritten('a manifest indented with tabs', 'bundle.manifest_whitespace', (m) => Buffer.from(text(m).replace(/^( {2})+/gm, (s) => '\t'.repeat(s.length / 2)))),
  rewritten('a manifest indented by four spaces', 'bundle.manifest_whitespace', (m) => reindented(text(m), 4)),
  rewritten('a manifest with CRLF line ends', 'bundle.manifest_whitespace', (m) => Buffer.from(text(m).replace(/\n/g, '\r\n'))),
  spelled('a manifest without its final line feed', 'bundle.manifest_whitespace', /\n$/, ''),
  spelled('a manifest with a blank line at the end', 'bundle.manifest_whitespace', /\n$/, '\n\n'),
  spelled('a manifest with a space before a colon', 'bundle.manifest_whitespace', '"name": ', '"name" : '),
  spelled('a manifest with a trailing space on a line', 'bundle.manifest_whitespace', '"version": "1.0.0",', '"version": "1.0.0", '),
  // numbers
  spelled('a sequence spelled 5.0', 'bundle.manifest_number_form', '"sequence": 5,', '"sequence": 5.0,'),
  spelled('a sequence spelled 50e-1', 'bundle.manifest_number_form', '"sequence": 5,', '"sequence": 50e-1,'),
  spelled('a sequence spelled 5E0', 'bundle.manifest_number_form', '"sequence": 5,', '"sequence": 5E0,'),
  spelled('a sequence with a leading zero', 'bundle.manifest_number_form', '"sequence": 5,', '"sequence": 05,'),
  spelled('a file size with an exponent', 'bundle.manifest_number_form', '"size": 51,', '"size": 5.1e1,'),
  spelled('a file size beyond 2^53 - 1 that rounds to a safe-looking number', 'bundle.manifest_number_form', '"size": 51,', '"size": 9007199254740993,'),
  spelled('an annotation of negative zero', 'bundle.manifest_number_form', '"stable"', '-0'),
  annotated('a fractional annotation value', 'bundle.manifest_number_form', { 'org.example/ratio': 0.5 }),
  // escapes and Unicode
  spelled('an escaped solidus in an annotation key', 'bundle.manifest_escape_form', '"org.example/channel"', '"org.example\\/channel"'),
  spelled('a \\u escape of a plain letter', 'bundle.manifest_escape_form', '"stable"', '"st\\u0061ble"'),
  spelled('a \\u escape of an accented letter', 'bundle.manifest_escape_form', '"stable"', '"stabl\\u00e9"'),
  annotated('a \\u escape where the short escape exists', 'bundle.manifest_escape_form', { note: 'a\nb' }, '"a\\nb"', '"a\\u000ab"'),
  annotated('a \\u escape with capital hex digits', 'bundle.manifest_escape_form', { note: 'a\u001fb' }, '"a\\u001fb"', '"a\\u001Fb"'),
  annotated('an escaped surrogate pair', 'bundle.manifest_escape_form', { note: '\u{1f600}' }, '"\u{1f600}"', '"\\ud83d\\ude00"'),
  spelled('an escaped lone high surrogate in an annotation', 'bundle.manifest_invalid_unicode', '"stable"', '"\\ud800"'),
  spelled('an escaped lone low surrogate in an annotation key', 'bundle.manifest_invalid_unicode', '"org.example/channel"', '"org.example/\\udc00"'),
  annotated('a decomposed (NFD) annotation value', 'bundle.manifest_invalid_unicode', { note: 'cafe\u0301' }),
  annotated('a decomposed (NFD) annotation key', 'bundle.manifest_invalid_unicode', { 'cafe\u0301': 'x' }),
  // order
  spelled('top-level fields out of the documented order', 'bundle.manifest_not_canonical', /("format": "[^"]+",)\n(\s+)("name": "[^"]+",)/, '$3\n$2$1'),
  spelled('file entry fields out of the documented order', 'bundle.manifest_not_canonical', /"size": 51,\n(\s+)("sha256": "[0-9a-f]+",)/, '$2\n$1"size": 51,'),
  annotated('annotation keys out of sorted order', 'bundle.manifest_not_canonical', { b: 'x', c: 'y' }, '"b": "x",\n    "c": "y"', '"c": "y",\n    "b": "x"'),
  // payload paths
  listed('two listed paths that differ only in case', 'bundle.manifest_path_collision', 'NOTES.md', 'notes.MD'),
  listed('a listed path that is also the folder of another', 'bundle.manifest_path_collision', 'docs', 'docs/app.yaml'),
  listed('a listed folder that is another listed file once case is folded', 'bundle.manifest_path_collision', 'Docs', 'docs/app.yaml'),
  listed('a listed path that is manifest.json in capitals', 'bundle.manifest_path_collision', 'MANIFEST.JSON'),
  listed('a listed path with an empty segment', 'bundle.manifest_invalid', 'docs//NOTES.md'),
  listed('a listed path ending in a slash', 'bundle.manifest_invalid', 'NOTES.md/'),
  listed('a listed path with a "." segment', 'bundle.manifest_invalid', './NOTES.md'),
  listed('an absolute listed path', 'bundle.manifest_invalid', '/NOTES.md'),
  listed('a listed path with a backslash', 'bundle.manifest_invalid', 'docs\\NOTES.md'),
  listed('a listed path with a control character', 'bundle.manifest_invalid', 'NOTES\u0007.md'),
  listed('a listed path with a segment ending in a dot (FAT drops it)', 'bundle.manifest_invalid', 'NOTES.md.'),
  listed('a listed path in NFD', 'bundle.manifest_invalid_unicode', 'cafe\u0301.md'),
  listed('a listed path in NFC outside ASCII', 'bundle.manifest_invalid', 'caf\u00e9.md'),
  listed('a listed path longer than 100 bytes', 'bundle.manifest_invalid', `docs/${'a'.repeat(96)}`),
  listed('the reserved name manifest.sig as a listed path', 'bundle.manifest_invalid', 'manifest.sig'),
];
