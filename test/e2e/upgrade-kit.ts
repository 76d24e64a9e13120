// Signed bundles for the browser tests, made by the real builder with the demo's key (which the demo
// device trusts): the plant dashboard 1.0.0 / 1.1.0 / crash-looping 1.2.0, with the health gate's
// stability window shortened per version, and small one-ConfigMap bundles for other releases
// (notes, architecture and sequence as a test needs). Offering goes through the agent, as the CLI
// and the upload and USB sources do; everything after that, the tests do by clicking.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildBundle, loadSigningKey } from '../../daemon/src/bundles/index.ts';
import type { BundleOffer, UpgradeRecord } from '../../daemon/src/protocol/index.ts';
import { writeDemoBundleKit } from '../../scripts/demo-bundles.ts';
import { ociArchive } from '../fixtures/bundle-forge/images.ts';
import type { Demo } from '../../scripts/demo-setup.ts';

export type DashboardVersion = '1.0.0' | '1.1.0' | '1.2.0';
const SETUP = { name: 'e2e-setup', role: 'admin' as const, address: 'local' };

export interface UpgradeKit {
  dashboard: Record<DashboardVersion, string>;
  /**
   * A one-ConfigMap bundle of release `name` (no workloads: its gate passes at once), optionally with
   * an image of about `imageMiB` of incompressible bytes, so its import takes long enough to watch.
   */
  small(spec: { name: string; version: string; sequence: number; notes?: string; architecture?: string; imageMiB?: number }): Promise<string>;
}

export async function prepareUpgradeKit(home: string, stabilitySeconds: Partial<Record<DashboardVersion, string>> = {}): Promise<UpgradeKit> {
  const kit = await writeDemoBundleKit(home);
  const key = await loadSigningKey(kit.keyPath);
  const dashboard = {} as Record<DashboardVersion, string>;
  for (const source of kit.sources) {
    const version = source.version as DashboardVersion;
    const yaml = path.join(source.dir, 'bundle.yaml');
    writeFileSync(yaml, readFileSync(yaml, 'utf8').replace('health-stability-seconds: "10"', `health-stability-seconds: "${stabilitySeconds[version] ?? '1.5'}"`));
    dashboard[version] = path.join(home, `dashboard-${version}.outpost`);
    await buildBundle({ from: source.dir, keys: [key], out: dashboard[version] });
  }
  return {
    dashboard,
    async small(spec) {
      const src = path.join(home, 'small-bundles', `${spec.name}-${spec.version}`);
      mkdirSync(path.join(src, 'manifests'), { recursive: true });
      writeFileSync(
        path.join(src, 'bundle.yaml'),
        `name: ${spec.name}\nversion: ${spec.version}\nsequence: ${spec.sequence}\ncreated: 2026-06-01T00:00:00Z\nexpiresAfterDays: 3650\n` +
          `requires:\n  architecture: ${spec.architecture ?? 'amd64'}\n  kubernetes: ">=1.28.0 <1.40.0"\n  outpost: 0.1.0\n`,
      );
      writeFileSync(path.join(src, 'NOTES.md'), spec.notes ?? `# ${spec.name} ${spec.version}\n\nSettings only.\n`);
      writeFileSync(
        path.join(src, 'manifests', 'settings.yaml'),
        `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${spec.name}-settings, namespace: default}\ndata:\n  VERSION: "${spec.version}"\n`,
      );
      if (spec.imageMiB) {
        mkdirSync(path.join(src, 'images'), { recursive: true });
        const content = randomBytes(spec.imageMiB << 20).toString('base64');
        writeFileSync(path.join(src, 'images', 'big.tar'), ociArchive({ reference: `registry.local/e2e/${spec.name}:${spec.version}`, content }));
      }
      const out = path.join(home, `${spec.name}-${spec.version}.outpost`);
      await buildBundle({ from: src, keys: [key], out });
      return out;
    },
  };
}

/** Offers a bundle file through the agent (as `outpost upgrade offer` does). */
export async function offerBundle(demo: Demo, file: string): Promise<BundleOffer> {
  return (await demo.daemon.upgrades.offerBundle(SETUP, { path: file, source: 'cli' })).bundle;
}

/** Offers and applies a bundle through the agent and waits for the outcome it must have (setup, not the thing tested). */
export async function installBundle(demo: Demo, file: string, outcome: UpgradeRecord['outcome'] = 'committed'): Promise<UpgradeRecord> {
  const offer = await offerBundle(demo, file);
  const { upgradeId } = await demo.daemon.upgrades.applyBundle(SETUP, offer.id);
  const done = await demo.daemon.upgrades.followUpgrade(upgradeId, () => undefined, AbortSignal.timeout(90_000));
  if (done.outcome !== outcome) throw new Error(`setup: ${offer.name} ${offer.version} ended ${done.outcome} (${done.code}): ${done.message}`);
  return done;
}
