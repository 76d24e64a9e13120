// Collector (adapter): versions of everything a vendor asks about first: Outpost, Node, the kernel,
// the OS (/etc/os-release), the database schema and the Kubernetes server.
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import type { SupportCollector } from '../types.ts';

export interface VersionsSource {
  outpost: string;
  /** The SQLite schema version (the number of the last migration applied). */
  schemaVersion?: () => number;
  /** The API server's /version, or why it is not known. */
  kubernetes?: (signal: AbortSignal) => Promise<unknown>;
  /** Test seam: where os-release is read. */
  osReleaseFile?: string;
}

/** KEY=value lines of os-release(5), quotes removed (pure). */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!match) continue;
    out[match[1]!] = match[2]!.replace(/^(["'])(.*)\1$/, '$2').replace(/\\(["\\$`])/g, '$1');
  }
  return out;
}

async function osRelease(file: string): Promise<Record<string, string> | { error: string }> {
  try {
    const text = await readFile(file, 'utf8');
    return parseOsRelease(text.slice(0, 64 * 1024));
  } catch (error) {
    return { error: `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
  }
}

export function versionsCollector(source: VersionsSource): SupportCollector {
  return {
    section: 'versions',
    title: 'versions: Outpost, Node, kernel, OS, database schema, Kubernetes',
    share: 0.01,
    deadlineMs: 15_000,
    async collect(out) {
      let kubernetes: unknown = 'no cluster is configured';
      if (source.kubernetes) {
        try {
          kubernetes = await source.kubernetes(out.signal);
        } catch (error) {
          kubernetes = { error: (error as Error).message };
        }
      }
      await out.json('versions.json', {
        outpost: source.outpost,
        node: process.versions.node,
        v8: process.versions.v8,
        sqlite: process.versions.sqlite ?? null,
        kernel: { release: os.release(), version: os.version(), arch: os.arch(), machine: os.machine() },
        os: await osRelease(source.osReleaseFile ?? '/etc/os-release'),
        hostname: os.hostname(),
        uptimeSeconds: Math.round(os.uptime()),
        databaseSchema: source.schemaVersion?.() ?? null,
        kubernetes,
      });
    },
  };
}
