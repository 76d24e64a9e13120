// Adapter: the in-process AuditSigner. The key (32 random bytes) and the head live in the agent's
// state folder (0700), each file 0600 and written atomically (temp file, fsync, rename, fsync of the
// folder). The head is re-read on every use, so the daemon and the CLI can both append.
import { createHash, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { chmodSync, closeSync, constants, fchmodSync, fsyncSync, linkSync, mkdirSync, openSync } from 'node:fs';
import { readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { AuditEntry, AuditHead, AuditRecord } from './chain.ts';
import { macMatches, macRecord, type AuditSigner } from './signer.ts';

export const AUDIT_KEY_FILE = 'audit.key';
export const AUDIT_HEAD_FILE = 'audit-head.json';

function syncFolder(folder: string): void {
  const fd = openSync(folder, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes `data` to a new temp file beside `file` at exactly `mode`, synced; returns its path. */
function writeTemp(file: string, data: string, mode: number): string {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
  try {
    fchmodSync(fd, mode);
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return temp;
}

/** Replaces `file` atomically (the synchronous twin of tls/files-adapter.ts writeFileAtomic). */
export function writeFileAtomicSync(file: string, data: string, mode: number): void {
  const temp = writeTemp(file, data, mode);
  try {
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  syncFolder(path.dirname(file));
}

function parseHead(text: string, file: string): AuditHead {
  const head = JSON.parse(text) as Partial<AuditHead>;
  if (!Number.isSafeInteger(head.seq) || !Number.isSafeInteger(head.keyedFrom) || typeof head.hash !== 'string' || !/^[0-9a-f]{64}$/.test(head.hash)) {
    throw new Error(`${file} is not an audit head`);
  }
  return head as AuditHead;
}

export class FileAuditSigner implements AuditSigner {
  readonly keyId: string;
  readonly #key: KeyObject;
  readonly #headFile: string;

  private constructor(folder: string, key: Buffer) {
    // A KeyObject made once: createHmac with a raw Buffer re-imports the key on every record (10× slower).
    this.#key = createSecretKey(key);
    this.#headFile = path.join(folder, AUDIT_HEAD_FILE);
    this.keyId = createHash('sha256').update(key).digest('hex').slice(0, 16);
  }

  /**
   * Opens the signer of the agent's state folder. With `create` (the daemon), a missing key is made
   * (linked into place, so two processes starting at once agree on one); without it (verification),
   * a missing key is an error.
   */
  static open(folder: string, options: { create: boolean }): FileAuditSigner {
    const keyFile = path.join(folder, AUDIT_KEY_FILE);
    if (options.create) {
      mkdirSync(folder, { recursive: true, mode: 0o700 });
      if ((statSync(folder).mode & 0o077) !== 0) chmodSync(folder, 0o700);
      try {
        statSync(keyFile);
      } catch {
        const temp = writeTemp(keyFile, `${randomBytes(32).toString('hex')}\n`, 0o600);
        try {
          linkSync(temp, keyFile);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        } finally {
          rmSync(temp, { force: true });
        }
        syncFolder(folder);
      }
    }
    if ((statSync(keyFile).mode & 0o077) !== 0) chmodSync(keyFile, 0o600);
    const key = Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'hex');
    if (key.length !== 32) throw new Error(`${keyFile} does not hold a 256-bit key`);
    return new FileAuditSigner(folder, key);
  }

  sign(id: number, prevHash: string, entry: AuditEntry): string {
    const head = this.head();
    if (head !== null && id <= head.seq) throw new Error(`audit signer: record ${id} is at or below the head (${head.seq}); history is never re-signed`);
    return macRecord(this.#key, id, prevHash, entry);
  }

  verify(record: AuditRecord): boolean {
    return macMatches(this.#key, record);
  }

  head(): AuditHead | null {
    let text: string;
    try {
      text = readFileSync(this.#headFile, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    return parseHead(text, this.#headFile);
  }

  advance(seq: number, hash: string): void {
    const current = this.head();
    if (current !== null && seq <= current.seq) return;
    const head: AuditHead = { seq, hash, keyedFrom: current?.keyedFrom ?? seq };
    writeFileAtomicSync(this.#headFile, `${JSON.stringify(head)}\n`, 0o600);
  }
}
