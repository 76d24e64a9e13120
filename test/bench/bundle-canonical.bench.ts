// Bench: what the canonical-form rules cost where they cost most, in the bench process (pure code,
// in-memory sources). (1) Reading a manifest at the format's limit of 4096 files (strict canonical
// parse, schema, payload paths, re-serialisation) against JSON.parse of the same bytes. (2) Verifying
// a bundle of 4096 small members (a header check and a padding check each) against sha256 of the
// same bytes. Best of several runs; ratios are reference time / our time.
import { createHash } from 'node:crypto';
import { parseManifest, serializeManifest, validateManifest } from '../../daemon/src/bundles/parse-manifest.ts';
import { serializeSignatures, signManifest } from '../../daemon/src/bundles/signature-pure.ts';
import { buildTrustPolicy, parseTrustedKey } from '../../daemon/src/bundles/trust-policy-pure.ts';
import { verifyBundle } from '../../daemon/src/bundles/verify.ts';
import { serializeMembers } from '../fixtures/bundle-forge/raw-tar.ts';
import { KEY_A, publicPem } from '../fixtures/bundle-forge/test-keys.ts';
import { QUICK, type BenchRow } from './lib.ts';

const FILES = 4096;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function best(runs: number, run: () => unknown): Promise<number> {
  let fastest = Infinity;
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    await run();
    fastest = Math.min(fastest, Number(process.hrtime.bigint() - started) / 1e6);
  }
  return fastest;
}

function bigBundle(): { manifestBytes: Buffer; archive: Buffer } {
  const bodies = Array.from({ length: FILES }, (_, i) => Buffer.alloc(1000 + (i % 24), i % 251));
  const pathOf = (i: number) => `docs/notes-${String(i).padStart(4, '0')}.md`;
  const files = bodies.map((body, i) => ({ path: pathOf(i), size: body.length, sha256: sha256(body), role: 'doc' }) as const);
  const manifest = validateManifest({
    format: 'outpost-bundle/v1',
    name: 'bench',
    version: '1.0.0',
    sequence: 1,
    created: '2026-01-01T00:00:00Z',
    expires: '2036-01-01T00:00:00Z',
    requires: { architecture: 'amd64', kubernetes: '>=1.28.0', outpost: '0.1.0' },
    files,
    annotations: { 'org.example/notes': 'café '.repeat(1000) },
  });
  const manifestBytes = serializeManifest(manifest);
  const signatures = serializeSignatures(signManifest(manifestBytes, [KEY_A]));
  const payload = files.map((f, i) => ({ name: f.path, body: bodies[i]! }));
  const members = [{ name: 'manifest.json', body: manifestBytes }, { name: 'manifest.sig', body: signatures }, ...payload];
  return { manifestBytes, archive: serializeMembers(members) };
}

export default async function benchBundleCanonical(): Promise<BenchRow[]> {
  const runs = QUICK ? 10 : 40;
  const { manifestBytes, archive } = bigBundle();
  const json = await best(runs, () => JSON.parse(manifestBytes.toString('utf8')));
  const parse = await best(runs, () => parseManifest(manifestBytes));

  const trust = buildTrustPolicy([parseTrustedKey(publicPem(KEY_A), 'a.pub')], { threshold: 1, revoked: [] });
  const device = { installedSequence: 0, sequenceFloor: 0, newestCreatedSeen: null, now: new Date('2026-06-01T00:00:00Z') };
  async function* source() {
    for (let i = 0; i < archive.length; i += 1 << 20) yield archive.subarray(i, i + (1 << 20));
  }
  const hash = await best(runs, () => sha256(archive));
  const verify = await best(runs, () => verifyBundle({ source: source(), trust, device }));

  const kb = (n: number) => `${Math.round(n / 1024)} KiB`;
  return [
    {
      name: `manifest read, ${FILES} files (${kb(manifestBytes.length)})`,
      value: `${parse.toFixed(1)} ms`,
      reference: `JSON.parse ${json.toFixed(1)} ms`,
      ratio: `${(json / parse).toFixed(2)}x`,
      note: `best of ${runs}; canonical parse + schema + paths + re-serialisation, once per bundle`,
    },
    {
      name: `verify ${FILES} small members in memory (${kb(archive.length)})`,
      value: `${verify.toFixed(1)} ms`,
      reference: `sha256 ${hash.toFixed(1)} ms`,
      ratio: `${(hash / verify).toFixed(2)}x`,
      note: `best of ${runs}; per member: header encoding and zero padding checked, digest, no staging`,
    },
  ];
}
