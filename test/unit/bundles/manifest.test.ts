import { describe, expect, it } from 'vitest';
import { BundleError } from '../../../daemon/src/bundles/errors.ts';
import { parseManifest, serializeManifest } from '../../../daemon/src/bundles/parse-manifest.ts';
import { unsafePathReason } from '../../../daemon/src/bundles/payload-paths-pure.ts';
import { forgeBundle, manifestBytesOf } from '../../fixtures/bundle-forge/forge.ts';

const base = () => forgeBundle().manifest;
function codeOf(value: Record<string, unknown>): string {
  try {
    parseManifest(manifestBytesOf(value));
    return 'ok';
  } catch (error) {
    if (error instanceof BundleError) return error.code;
    throw error;
  }
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
    ['a fractional sequence', { sequence: 1.5 }],
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
    ['a//b', 'has a segment outside'],
    ['-rf', 'has a segment outside'],
    ['a'.repeat(101), 'is longer than 100 bytes'],
  ])('calls the path %j unsafe', (path, reason) => {
    expect(unsafePathReason(path)).toContain(reason);
  });

  it('calls plain relative paths safe', () => {
    expect(['NOTES.md', 'images/app-1.0.tar', 'charts/x_y.tgz'].map(unsafePathReason)).toEqual([null, null, null]);
  });
});
