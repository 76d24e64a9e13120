// Bench child: verifies (and stages) one bundle in a fresh process so its peak RSS is the
// verifier's own. Prints one JSON line: {seconds, maxRssBytes, bytes}.
// usage: node test/bench/bundle-verify-child.ts BUNDLE TRUST_DIR STAGE_PARENT|- NOW_ISO [durable]
import { loadTrust, verifyBundleFile } from '../../daemon/src/bundles/index.ts';

const [bundle, trustDir, stageTo, now, mode] = process.argv.slice(2);
if (!bundle || !trustDir || !stageTo || !now) {
  process.stderr.write('usage: bundle-verify-child.ts BUNDLE TRUST_DIR STAGE_PARENT|- NOW_ISO\n');
  process.exit(2);
}
const trust = await loadTrust(trustDir);
const started = process.hrtime.bigint();
const result = await verifyBundleFile(bundle, {
  trust,
  device: { installedSequence: 0, sequenceFloor: 0, newestCreatedSeen: null, now: new Date(now) },
  stageTo: stageTo === '-' ? null : stageTo,
  durable: mode === 'durable',
});
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
process.stdout.write(`${JSON.stringify({ seconds, maxRssBytes: process.resourceUsage().maxRSS * 1024, bytes: result.bytes })}\n`);
