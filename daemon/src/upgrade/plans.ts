// Observe, then plan: one function that gathers every fact (observe.ts) and hands them to the pure
// planner. Used by `offer`, `GET …/plan`, the rollback plan and the upgrade's own preflight step.
import type { BundleManifest } from '../bundles/index.ts';
import type { UpgradePlan } from '../protocol/upgrade.ts';
import type { DesiredObject } from './manifests-pure.ts';
import { bundleView, clusterFacts, imageFacts, installedView, liveObjects, otherReleases, type ObservePorts } from './observe.ts';
import { planUpgrade, type BundleView, type InstalledView, type LiveObject } from './planner.ts';

export interface PlanSettingsInput {
  diskReservePercent: number;
  stabilitySeconds: number;
  timeoutSeconds: number;
}

export interface FullPlan {
  plan: UpgradePlan;
  bundle: BundleView;
  installed: InstalledView | null;
  live: ReadonlyMap<string, LiveObject>;
}

export async function computePlan(ports: ObservePorts, settings: PlanSettingsInput, target: { id: string; manifest: BundleManifest; signers: string[] }, mode: 'upgrade' | 'rollback'): Promise<FullPlan> {
  const facts = await clusterFacts(ports);
  const release = target.manifest.name;
  const bundle = await bundleView(ports, target.id, target.manifest, target.signers, facts.served);
  const installed = await installedView(ports, release, facts.served);
  let live = new Map<string, LiveObject>();
  if (ports.kube && facts.cluster.reachable) {
    const removed: DesiredObject[] = (installed?.objects ?? []).filter((o) => !bundle.objects.some((b) => b.key === o.key));
    try {
      const seen = await liveObjects(ports.kube, bundle.objects, facts.served, removed);
      live = seen.live;
      bundle.problems.push(...seen.refused);
    } catch (error) {
      facts.cluster = { ...facts.cluster, reachable: false, error: (error as Error).message };
    }
  }
  const containerd = await imageFacts(ports.images);
  const disk = containerd.reachable ? await ports.images.disk() : null;
  const row = ports.store.release(release);
  const observed = {
    now: ports.now(),
    outpostVersion: ports.outpostVersion,
    newestCreatedSeen: ports.store.newestCreatedSeen(),
    cluster: facts.cluster,
    served: new Set(facts.served.keys()),
    live,
    containerd,
    disk,
    diskPath: ports.images.root,
    otherReleases: otherReleases(ports.store, release),
  };
  const plan = planUpgrade(bundle, installed, observed, { mode, floor: row?.floor ?? 0, ...settings });
  return { plan, bundle, installed, live };
}
