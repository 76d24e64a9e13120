// What a payload file listed in the manifest may be called: a plain relative path that every tar
// reader and every file system reads as the same single name (no traversal, no separators other
// than "/", ASCII only, nothing a FAT stick would rewrite), and no two listed paths that one file
// system would see as the same file or folder. Pure. See docs/bundle-format.md, "Payload paths".

/** Payload paths fit the 100-byte ustar name field, so no extended headers are ever needed. */
export const PAYLOAD_PATH_MAX_BYTES = 100;
/** Members 1 and 2: never a payload path, in any case. */
export const RESERVED_NAMES = ['manifest.json', 'manifest.sig'] as const;

const PATH_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;
// eslint-disable-next-line no-control-regex -- control characters are what this looks for
const CONTROL = /[\u0000-\u001f\u007f]/;

/** A name quoted for a message, with anything outside printable ASCII escaped (a BOM or a combining mark is invisible). */
export function quoteName(name: string): string {
  return JSON.stringify(name).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Why a payload path is unsafe, or null when it is a plain relative path. Shared with the tar checks. */
export function unsafePathReason(path: string): string | null {
  if (path.includes('\\')) return 'contains a backslash';
  if (path.startsWith('/')) return 'is absolute';
  if (CONTROL.test(path)) return 'contains a control character';
  for (const segment of path.split('/')) {
    if (segment === '') return 'has an empty segment';
    if (segment === '..' || segment === '.') return `has a "${segment}" segment`;
    if (!PATH_SEGMENT.test(segment)) return `has a segment outside [A-Za-z0-9._-]: ${quoteName(segment)}`;
    // FAT and Windows drop trailing dots, so "a." would be written as "a".
    if (segment.endsWith('.')) return `has a segment ending in ".": ${quoteName(segment)}`;
  }
  if (Buffer.byteLength(path) > PAYLOAD_PATH_MAX_BYTES) return `is longer than ${PAYLOAD_PATH_MAX_BYTES} bytes`;
  return null;
}

/**
 * The name a case-insensitive, normalising file system (FAT on a USB stick, macOS) sees. Safe paths
 * are ASCII, so this is ASCII case folding in effect; the Unicode steps keep it right if the
 * allowed characters ever grow.
 */
export function foldedPath(path: string): string {
  return path.normalize('NFC').toUpperCase().toLowerCase();
}

/**
 * The first listed path that collides with an earlier one (or a reserved name) once folded, or
 * that is a file where another path needs a folder: a message, or null. Exact duplicates are the
 * caller's to report first.
 */
export function pathCollision(paths: readonly string[]): { index: number; message: string } | null {
  const files = new Map<string, string>(RESERVED_NAMES.map((name) => [name, name]));
  const folders = new Map<string, string>();
  for (const [index, path] of paths.entries()) {
    const folded = foldedPath(path);
    const sameFile = files.get(folded);
    if (sameFile !== undefined) return { index, message: `${quoteName(path)} and ${quoteName(sameFile)} are one name on a case-insensitive file system` };
    const inside = folders.get(folded);
    if (inside !== undefined) return { index, message: `${quoteName(path)} is a file, and a folder of ${quoteName(inside)}` };
    const segments = folded.split('/');
    for (let end = 1; end < segments.length; end++) {
      const folder = segments.slice(0, end).join('/');
      const file = files.get(folder);
      if (file !== undefined) return { index, message: `${quoteName(path)} needs ${quoteName(file)} to be a folder, but it is a file` };
      if (!folders.has(folder)) folders.set(folder, path);
    }
    files.set(folded, path);
  }
  return null;
}
