// Bench child: makes one support bundle (or, as the reference, gzips the same input) in a fresh
// process so its peak RSS is its own. Prints one JSON line: {seconds, maxRssBytes, inputBytes, fileBytes}.
// usage: node test/bench/support-bundle-child.ts bundle|gzip OUT_DIR MAX_BYTES INPUT_BYTES
import { createWriteStream, statSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { writeSupportBundleFile, type SupportCollector } from '../../daemon/src/support/index.ts';

const [mode, outDir, maxArg, inputArg] = process.argv.slice(2);
const maxBytes = Number(maxArg);
const inputBytes = Number(inputArg);
if (!outDir || !(maxBytes > 0) || !(inputBytes > 0) || (mode !== 'bundle' && mode !== 'gzip')) {
  process.stderr.write('usage: support-bundle-child.ts bundle|gzip OUT_DIR MAX_BYTES INPUT_BYTES\n');
  process.exit(2);
}

/** Journal-like lines (one in 500 with something to scrub), `bytes` of them. */
function* journal(bytes: number): Generator<string> {
  for (let sent = 0, i = 0; sent < bytes; i += 1) {
    const secret = i % 500 === 0 ? ',"token":"abc123def456"' : '';
    const second = String(i % 60).padStart(2, '0');
    const line = `2026-12-01T10:00:${second}+0000 edge-node-1 outpost[812]: {"level":"info","msg":"poll ${i} in ${i % 97} ms"${secret}}\n`;
    sent += line.length;
    yield line;
  }
}

/** Pod-like objects for JSON lines, about `bytes` of them. */
function* pods(bytes: number): Generator<unknown> {
  for (let sent = 0, i = 0; sent < bytes; i += 1, sent += 700) {
    const env = [{ name: 'MQTT_URL', value: 'mqtt://broker:1883' }, { name: 'API_TOKEN', value: 'tok-123456' }];
    yield {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `ingester-${i}`, namespace: 'ingest', labels: { app: 'ingester' } },
      spec: { containers: [{ name: 'c', image: 'registry.local/edge/ingester:2.4.1', env }] },
      status: { phase: 'Running', podIP: `10.42.0.${i % 250}` },
    };
  }
}

/** One downloaded container log (a string, as the API server returns it). */
function containerLog(i: number): string {
  const line = (n: number) => `2026-12-01T10:00:00.${String(n).padStart(6, '0')}Z level=info container=c${i} seq=${n} msg="read 1575 samples"\n`;
  return Array.from({ length: 5000 }, (_, n) => line(n)).join('');
}

const shares = { logs: 0.33, cluster: 0.2, containers: 0.25 };
const collectors: SupportCollector[] = [
  // Kept from the tail (the daemon keeps cluster objects from the head) so every run reads all its input and only the cap differs.
  {
    section: 'cluster',
    title: 'cluster',
    share: shares.cluster,
    deadlineMs: 600_000,
    collect: (out) => out.add('pods.jsonl', (function* () {
      for (const pod of pods(inputBytes * 0.25)) yield `${JSON.stringify(pod)}\n`;
    })(), { keep: 'tail' }),
  },
  {
    section: 'container-logs',
    title: 'container logs',
    share: shares.containers,
    deadlineMs: 600_000,
    async collect(out) {
      const count = Math.ceil((inputBytes * 0.25) / (1 << 20));
      for (let i = 0; i < count; i += 1) await out.add(`ns/pod-${i}/c.log`, containerLog(i), { keep: 'tail', maxBytes: 1 << 20 });
    },
  },
  { section: 'logs', title: 'logs', share: shares.logs, deadlineMs: 600_000, collect: (o) => o.add('journal.log', journal(inputBytes / 2), { keep: 'tail' }) },
];

const started = process.hrtime.bigint();
let fileBytes: number;
if (mode === 'bundle') {
  fileBytes = (await writeSupportBundleFile(outDir, { collectors, maxBytes, hostname: 'bench', spoolDir: outDir }, new AbortController().signal)).fileBytes;
} else {
  // The reference: the same bytes straight through gzip into a file, nothing else.
  function* lines(): Generator<string> {
    yield* journal(inputBytes * 0.5);
    for (const pod of pods(inputBytes * 0.25)) yield `${JSON.stringify(pod)}\n`;
    for (let i = 0; i < Math.ceil((inputBytes * 0.25) / (1 << 20)); i += 1) yield containerLog(i);
  }
  // In 64 KiB pieces, as the bundle reads a synchronous source.
  function* all(): Generator<string> {
    let piece: string[] = [];
    let size = 0;
    for (const line of lines()) {
      piece.push(line);
      size += line.length;
      if (size >= 64 * 1024) {
        yield piece.join('');
        piece = [];
        size = 0;
      }
    }
    if (piece.length > 0) yield piece.join('');
  }
  const file = path.join(outDir, 'reference.gz');
  await pipeline(Readable.from(all()), createGzip({ level: 6 }), createWriteStream(file));
  fileBytes = statSync(file).size;
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
process.stdout.write(`${JSON.stringify({ seconds, maxRssBytes: process.resourceUsage().maxRSS * 1024, inputBytes, fileBytes })}\n`);
