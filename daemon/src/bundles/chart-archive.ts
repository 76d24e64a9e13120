// Builder-side adapter: checks that a chart .tgz is a gzip tar holding <chart>/Chart.yaml with a
// name and a version, as Helm (and k3s's HelmChart controller) need. Bounded: it never keeps more
// than Chart.yaml in memory and stops at the first one.
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import * as tar from 'tar-stream';
import { parse as parseYaml } from 'yaml';
import { BundleError } from './errors.ts';

const CHART_YAML_MAX_BYTES = 1024 * 1024;

export interface ChartFacts {
  name: string;
  version: string;
}

export async function readChartArchive(path: string): Promise<ChartFacts> {
  const file = basename(path);
  const invalid = (message: string) => new BundleError('bundle.build_input_invalid', `charts/${file}: ${message}`);
  const extract = tar.extract();
  const reading = pipeline(createReadStream(path), createGunzip(), extract).catch((error: unknown) => {
    throw invalid(`not a gzip-compressed tar (${(error as Error).message})`);
  });
  let facts: ChartFacts | undefined;
  try {
    for await (const entry of extract) {
      const size = entry.header.size ?? 0;
      if (facts || entry.header.type !== 'file' || !/^[^/]+\/Chart\.yaml$/.test(entry.header.name) || size > CHART_YAML_MAX_BYTES) {
        entry.resume();
        continue;
      }
      const parts: Buffer[] = [];
      for await (const chunk of entry) parts.push(chunk as Buffer);
      const chart = parseYaml(Buffer.concat(parts).toString('utf8')) as Record<string, unknown> | null;
      if (typeof chart?.name !== 'string' || typeof chart.version !== 'string') throw invalid('Chart.yaml has no name and version');
      facts = { name: chart.name, version: chart.version };
    }
    await reading;
  } catch (error) {
    extract.destroy();
    await reading.catch(() => undefined);
    if (error instanceof BundleError) throw error;
    throw invalid(`not a readable chart archive (${(error as Error).message})`);
  }
  if (!facts) throw invalid('holds no <chart>/Chart.yaml');
  return facts;
}
