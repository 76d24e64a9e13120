// Whether a new upload may start (pure): its declared length against the size cap, the uploads in
// progress against the limit, and the free space left on the spool's filesystem, after this upload
// and what the ones in progress still need, against the reserve the plan keeps (docs/upgrades.md).
import { OutpostError } from '../lib/errors.ts';

export interface AdmissionLimits {
  maxBytes: number;
  maxConcurrent: number;
  reservePercent: number;
}

export interface SpoolView {
  /** Incomplete uploads: their declared size and bytes received. */
  incomplete: { size: number; offset: number }[];
  freeBytes: number;
  totalBytes: number;
}

/** A bundle is at least a manifest, a signature and the end-of-archive marker. */
export const MIN_UPLOAD_BYTES = 1024;

/** Parses `Upload-Length` (tus: a non-negative integer); null when absent or malformed. */
export function parseUploadLength(header: string | undefined): number | null {
  if (header === undefined || !/^\d{1,16}$/.test(header)) return null;
  const n = Number(header);
  return Number.isSafeInteger(n) ? n : null;
}

export function admitUpload(length: number | null, spool: SpoolView, limits: AdmissionLimits): void {
  if (length === null) throw new OutpostError('upload_too_large', 'an upload must declare its length (Upload-Length); deferred lengths are not accepted');
  if (length > limits.maxBytes) throw new OutpostError('upload_too_large', `the bundle is ${length} bytes, more than the ${limits.maxBytes} bytes this device accepts (uploads.maxBytes)`);
  if (length < MIN_UPLOAD_BYTES) throw new OutpostError('bad_request', `${length} bytes cannot be a bundle`);
  if (spool.incomplete.length >= limits.maxConcurrent) {
    throw new OutpostError('too_many_uploads', `${spool.incomplete.length} uploads are in progress already; finish or cancel one first`);
  }
  const pending = spool.incomplete.reduce((sum, u) => sum + Math.max(0, u.size - u.offset), 0);
  const reserve = Math.ceil((spool.totalBytes * limits.reservePercent) / 100);
  const left = spool.freeBytes - pending - length;
  if (left < reserve) {
    throw new OutpostError(
      'insufficient_storage',
      `not enough space for ${length} bytes: ${spool.freeBytes} bytes free, ${pending} still due to uploads in progress, and ${reserve} kept in reserve (${limits.reservePercent} %)`,
    );
  }
}
