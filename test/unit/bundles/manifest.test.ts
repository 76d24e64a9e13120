import { describe, expect, it } from 'vitest';
import { BundleError } from '../../../daemon/src/bundles/errors.ts';
import { parseManifest, serializeManifest } from '../../../daemon/src/bundles/parse-manifest.ts';
import { unsafePathReason } from '../../../daemon/src/bundles/payload-paths-pure.ts';
import { forgeBundle, manifestBytesOf } from '../../fixtures/bundle-forge/forge.ts';

const base = () => forgeBundle().manifest;
function codeOfBytes(bytes: Buffer): string {
  try {
    parseManifest(bytes);
    return 'ok';
  } catch (error) {
    if (error instanceof BundleError) return error.code;
    throw error;
  }
}
const codeOf = (value: Record<string, unknown>) => codeOfBytes(manifestBytesOf(value));
const canonicalText = () => manifestBytesOf(base()).toString();
const edited = (from: string | RegExp, to: string) => Buffer.from(canonicalText().replace(from, to));
function withPaths(...paths: string[]): Record<string, unknown> {
  const m = base();
  paths.forEach((path, i) => void ((m.files[i] as Record<string, unknown>).path = path));
  return m;
}

describe('manifest schema', () => {
  it('accepts the forged manifest and serializes it back to the same bytes', () => {
    const bytes = manifestBytesOf(base());
    expect(serializeManifest(parseManifest(bytes)).equals(bytes)).toBe(true);
  });

  it('accepts unknown fields, nested objects and any JSON values inside annotations', () => {
    expect(codeOf({ ...base(), annotations: { anything: { goes: [1, { here: null }] }, 'x.io/flag': true } })).toBe('ok');
  });

  it('refuses unknown fields outside annotations, at every level', () => {
    expect(codeOf({ ...base(), extra: 1 })).toBe('bundle.manifest_unknown_field');
    expect(codeOf({ ...base(), requires: { ...(base().requires as object), gpu: true } })).toBe('bundle.manifest_unknown_field');
    const m = base();
    (m.files[3] as { platform: Record<string, unknown> }).platform.kernel = '6.1';
    expect(codeOf(m)).toBe('bundle.manifest_unknown_field');
  });

  it.each([
    ['a version that is not semver', { version: 'v1' }],
    ['a name with capitals', { name: 'Forge' }],
    ['expires before created', { expires: '2026-04-01T00:00:00Z' }],
    ['a timestamp with an offset', { created: '2026-05-01T00:00:00+02:00' }],
    ['a floor above the sequence', { sequenceFloor: 6 }],
    ['an unknown architecture', { requires: { architecture: 'mips', kubernetes: '>=1.28.0', outpost: '0.1.0' } }],
    ['a Kubernetes range that is not a range', { requires: { architecture: 'amd64', kubernetes: 'latest', outpost: '0.1.0' } }],
    ['annotations that are an array', { annotations: ['a'] }],
  ])('refuses %s', (_name, change) => {
    expect(codeOf({ ...base(), ...change })).toBe('bundle.manifest_invalid');
  });

  it('refuses role-specific fields on the wrong role', () => {
    const m = base();
    (m.files[0] as Record<string, unknown>).references = ['registry.local/x:1'];
    expect(codeOf(m)).toBe('bundle.manifest_invalid');
  });

  it('refuses a manifest larger than 1 MiB', () => {
    expect(codeOf({ ...base(), annotations: { pad: 'x'.repeat(1024 * 1024) } })).toBe('bundle.manifest_too_large');
  });

  it.each([
    ['../a', 'has a ".." segment'],
    ['/etc/passwd', 'is absolute'],
    ['a\\b', 'contains a backslash'],
    ['a/./b', 'has a "." segment'],
    ['a//b', 'has an empty segment'],
    ['a/', 'has an empty segment'],
    ['a/b.', 'has a segment ending in "."'],
    ['a\u0007b', 'contains a control character'],
    ['a\u0000b', 'contains a control character'],
    ['caf\u00e9.md', 'has a segment outside'],
    ['cafe\u0301.md', 'has a segment outside'],
    ['-rf', 'has a segment outside'],
    ['a'.repeat(101), 'is longer than 100 bytes'],
  ])('calls the path %j unsafe', (path, reason) => {
    expect(unsafePathReason(path)).toContain(reason);
  });

  it('calls plain relative paths safe', () => {
    expect(['NOTES.md', 'images/app-1.0.tar', 'charts/x_y.tgz'].map(unsafePathReason)).toEqual([null, null, null]);
  });

  it('reads the canonical bytes the builder writes, and refuses the same manifest spelled any other way', () => {
    expect(codeOfBytes(manifestBytesOf(base()))).toBe('ok');
    expect(codeOfBytes(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), manifestBytesOf(base())]))).toBe('bundle.manifest_byte_order_mark');
    expect(codeOfBytes(Buffer.from(JSON.stringify(base())))).toBe('bundle.manifest_whitespace');
    expect(codeOfBytes(Buffer.from(`${JSON.stringify(base(), null, 4)}\n`))).toBe('bundle.manifest_whitespace');
    expect(codeOfBytes(edited('"sequence": 5', '"sequence": 5.0'))).toBe('bundle.manifest_number_form');
    expect(codeOfBytes(edited('"stable"', '"st\\u0061ble"'))).toBe('bundle.manifest_escape_form');
    expect(codeOfBytes(edited('"stable"', '"\\udfff"'))).toBe('bundle.manifest_invalid_unicode');
  });

  it('refuses fields out of their documented order, and annotation keys out of sorted order', () => {
    const { format, name, ...rest } = base();
    expect(codeOf({ name, format, ...rest })).toBe('ok'); // the writer puts them back in order
    expect(codeOfBytes(edited(/"format": "outpost-bundle\/v1",\n {2}"name": "forge-app"/, '"name": "forge-app",\n  "format": "outpost-bundle/v1"'))).toBe(
      'bundle.manifest_not_canonical',
    );
    const unsorted = edited('"org.example/channel": "stable"', '"org.example/channel": "stable",\n    "a": 1');
    expect(codeOfBytes(unsorted)).toBe('bundle.manifest_not_canonical');
    expect(codeOfBytes(edited('"org.example/channel": "stable"', '"a": 1,\n    "org.example/channel": "stable"'))).toBe('ok');
  });

  it('names the line that differs from the canonical form', () => {
    const text = canonicalText().replace(/"size": (\d+),\n(\s+)"sha256": ("[0-9a-f]+")/, '"sha256": $3,\n$2"size": $1');
    expect(text).not.toBe(canonicalText());
    expect(() => parseManifest(Buffer.from(text))).toThrow(/line 16 is "\\"sha256\\": \\"[0-9a-f]+\\"," where the canonical form has "\\"size\\": \d+,"/);
  });

  it('refuses fractions and integers beyond 2^53 - 1 anywhere, annotations included', () => {
    expect(codeOf({ ...base(), sequence: 1.5 })).toBe('bundle.manifest_number_form');
    expect(codeOf({ ...base(), annotations: { ratio: 0.25 } })).toBe('bundle.manifest_number_form');
    expect(codeOfBytes(edited('"stable"', '9007199254740993'))).toBe('bundle.manifest_number_form');
    expect(codeOf({ ...base(), annotations: { big: Number.MAX_SAFE_INTEGER, small: -Number.MAX_SAFE_INTEGER } })).toBe('ok');
  });

  it('refuses strings that are not in NFC, anywhere', () => {
    expect(codeOf({ ...base(), annotations: { note: 'cafe\u0301' } })).toBe('bundle.manifest_invalid_unicode');
    expect(codeOf({ ...base(), annotations: { 'cafe\u0301': 1 } })).toBe('bundle.manifest_invalid_unicode');
    expect(codeOf({ ...base(), annotations: { note: 'caf\u00e9 \u{1f600}' } })).toBe('ok');
  });

  it.each([
    ['two paths that differ only in case', ['NOTES.md', 'notes.MD']],
    ['a path that is also a folder of another', ['docs', 'docs/a.yaml']],
    ['a folder that is a file once case is folded', ['Docs', 'docs/a.yaml']],
    ['a file listed after the folder it would replace', ['images/hello.tar/x', 'IMAGES/hello.tar']],
    ['a path that is manifest.json once case is folded', ['MANIFEST.JSON']],
    ['a path that is manifest.sig once case is folded', ['Manifest.Sig']],
  ])('refuses %s', (_name, paths) => {
    expect(codeOf(withPaths(...paths))).toBe('bundle.manifest_path_collision');
  });

  it('keeps exact duplicates and reserved names on their own codes', () => {
    expect(codeOf(withPaths('NOTES.md', 'NOTES.md'))).toBe('bundle.manifest_duplicate_path');
    expect(codeOf(withPaths('manifest.json'))).toBe('bundle.manifest_invalid');
    expect(codeOf(withPaths('a/b.md', 'a/c.md', 'ab/b.md', 'a.b'))).toBe('ok');
  });
});
