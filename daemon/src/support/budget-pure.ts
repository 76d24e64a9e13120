// Size arithmetic of the support bundle (pure). The budget is counted in bytes of the uncompressed
// tar, headers and padding included, and kept 1 % under `support.maxBytes`: gzip never grows data
// by more than a fraction of a percent, so both the tar and the .tar.gz stay under the setting.
// Each section gets its share; the index and the end-of-archive blocks get what is left.

export const TAR_BLOCK = 512;
/** Two zero blocks end a tar archive. */
export const END_OF_ARCHIVE = 2 * TAR_BLOCK;
/** Room for a truncation note inside a member's cap. */
export const NOTE_RESERVE = 256;
/** A member smaller than this is not worth starting when a section is nearly full. */
const MIN_MEMBER_DATA = TAR_BLOCK;

/** Bytes one member of `size` bytes takes in the tar: a header block and its data padded to a block. */
export function tarCost(size: number): number {
  return TAR_BLOCK + Math.ceil(size / TAR_BLOCK) * TAR_BLOCK;
}

export interface Budget {
  /** Per section, in the collectors' order. */
  sections: number[];
  /** For index.json, MANIFEST.txt and the end of the archive. */
  index: number;
  /** Everything: what the tar may reach. */
  total: number;
}

/** Splits `maxBytes` by the sections' shares; the shares may sum to at most 0.97 (the rest is the index's). */
export function planBudget(maxBytes: number, shares: readonly number[]): Budget {
  const total = Math.floor(maxBytes * 0.99);
  const sum = shares.reduce((a, b) => a + b, 0);
  if (shares.some((s) => !(s > 0)) || sum > 0.97 + 1e-9) throw new Error(`section shares must be positive and sum to at most 0.97 (they sum to ${sum})`);
  const sections = shares.map((s) => Math.floor(total * s));
  return { sections, index: total - sections.reduce((a, b) => a + b, 0), total };
}

/**
 * The most data a new member may hold when `remaining` bytes of the section are left (its header and
 * padding counted), capped by `requested`; 0 when not even a small member fits.
 */
export function memberDataCap(remaining: number, requested = Number.POSITIVE_INFINITY): number {
  const fits = Math.floor((remaining - TAR_BLOCK) / TAR_BLOCK) * TAR_BLOCK;
  const cap = Math.min(fits, Math.floor(requested));
  return cap >= MIN_MEMBER_DATA ? cap : 0;
}

/** Human size: 1536 -> "1.5 KiB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value >= 10 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}
