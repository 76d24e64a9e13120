// I/O adapter: the verifier's staging folder. One fresh folder (mode 0700) per pass inside a parent
// the caller owns; file names are chosen here (manifest.json, manifest.sig, 0001.blob, ...), created
// exclusively with mode 0600 and never following links. Removing the staging removes only that folder.
import { constants } from 'node:fs';
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { BundleError } from './errors.ts';

const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

export interface BlobWriter {
  readonly path: string;
  write(bytes: Uint8Array): Promise<void>;
  /** Closes, after flushing to disk when the staging is durable. */
  finish(): Promise<void>;
  abandon(): Promise<void>;
}

function stageFailed(error: unknown, what: string): BundleError {
  return new BundleError('bundle.stage_failed', `staging ${what}: ${(error as Error).message}`, { cause: error });
}

export function blobName(index: number): string {
  return `${String(index + 1).padStart(4, '0')}.blob`;
}

export class Staging {
  readonly dir: string;
  readonly durable: boolean;

  private constructor(dir: string, durable: boolean) {
    this.dir = dir;
    this.durable = durable;
  }

  /** `durable`: fsync each file when finished and the folder at the end (syncFolder). */
  static async create(parent: string, durable: boolean): Promise<Staging> {
    try {
      return new Staging(await mkdtemp(join(parent, 'bundle-')), durable);
    } catch (error) {
      throw stageFailed(error, `in ${parent}`);
    }
  }

  async open(name: string): Promise<BlobWriter> {
    const path = join(this.dir, name);
    let handle: FileHandle;
    try {
      handle = await open(path, CREATE_FLAGS, 0o600);
    } catch (error) {
      throw stageFailed(error, name);
    }
    let closed = false;
    let position = 0;
    const close = async () => {
      if (closed) return;
      closed = true;
      await handle.close();
    };
    return {
      path,
      // Each write claims its byte range up front, so several may be in flight at once.
      write: async (bytes) => {
        const at = position;
        position += bytes.length;
        try {
          let done = 0;
          while (done < bytes.length) done += (await handle.write(bytes, done, bytes.length - done, at + done)).bytesWritten;
        } catch (error) {
          throw stageFailed(error, name);
        }
      },
      finish: async () => {
        try {
          if (this.durable) await handle.sync();
          await close();
        } catch (error) {
          throw stageFailed(error, name);
        }
      },
      abandon: () => close().catch(() => undefined),
    };
  }

  async writeFile(name: string, bytes: Uint8Array): Promise<string> {
    const writer = await this.open(name);
    try {
      await writer.write(bytes);
      await writer.finish();
    } catch (error) {
      await writer.abandon();
      throw error;
    }
    return writer.path;
  }

  async syncFolder(): Promise<void> {
    if (!this.durable) return;
    try {
      const dir = await open(this.dir, constants.O_RDONLY | constants.O_DIRECTORY);
      await dir.sync().finally(() => dir.close());
    } catch (error) {
      throw stageFailed(error, 'the folder');
    }
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
