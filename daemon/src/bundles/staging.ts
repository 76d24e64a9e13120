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
  /** Flushes to disk and closes. */
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

  private constructor(dir: string) {
    this.dir = dir;
  }

  static async create(parent: string): Promise<Staging> {
    try {
      return new Staging(await mkdtemp(join(parent, 'bundle-')));
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
    const close = async () => {
      if (closed) return;
      closed = true;
      await handle.close();
    };
    return {
      path,
      write: async (bytes) => {
        try {
          let done = 0;
          while (done < bytes.length) done += (await handle.write(bytes, done, bytes.length - done)).bytesWritten;
        } catch (error) {
          throw stageFailed(error, name);
        }
      },
      finish: async () => {
        try {
          await handle.sync();
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

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
