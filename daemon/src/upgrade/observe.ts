// Gathers what the planner needs, before it plans: the bundle's objects (parsed from its staged
// copy, charts turned into HelmCharts), the installed release, and the observed cluster and
// containerd (versions, architecture, served kinds, live objects with their owners and the fields a
// server-side apply dry run says other managers own, images, disk). Reads only; never writes.
import type { BundleManifest } from '../bundles/index.ts';
import type { PlanProblem } from '../protocol/upgrade.ts';
import { chartFacts, type BundleStore } from './bundle-store.ts';
import type { ImageStorePort } from './containerd-adapter.ts';
import type { UpgradeStore } from './journal.ts';
import { KubeApiError, type ClusterPort, type KObj } from './kube-rest.ts';
import { defaultHelmChart, desiredObject, fillChartContent, ManifestError, objectLabel, parseManifestText, RELEASE_LABEL, scopeResolver, type DesiredObject, type ParsedDoc } from './manifests-pure.ts';
import type { BundleView, ImageFacts, InstalledView, LiveObject, Observed } from './planner.ts';

export interface ObservePorts {
  kube: ClusterPort | null;
  /** Why there is no cluster client (no kubeconfig, unreadable kubeconfig). */
  kubeProblem: string | null;
  images: ImageStorePort;
  bundles: BundleStore;
  store: UpgradeStore;
  outpostVersion: string;
  now(): number;
}

interface BundleDocs {
  docs: ParsedDoc[];
  notes: string | null;
  problems: PlanProblem[];
}

/** Reads a staged bundle's manifests, charts and notes. A manifest that cannot be read is a blocking problem. */
export async function readBundleDocs(bundles: BundleStore, id: string, manifest: BundleManifest): Promise<BundleDocs> {
  const docs: ParsedDoc[] = [];
  const problems: PlanProblem[] = [];
  const charts = new Map<string, string>();
  const chartNames = new Map<string, string>();
  let notes: string | null = null;
  for (const [index, file] of manifest.files.entries()) {
    try {
      if (file.role === 'manifest') docs.push(...parseManifestText(file.path, await bundles.text(id, index)));
      else if (file.role === 'chart') {
        const bytes = await bundles.bytes(id, index);
        chartNames.set(file.path, (await chartFacts(bytes)).name);
        charts.set(file.path, bytes.toString('base64'));
      } else if (file.role === 'doc' && notes === null) notes = await bundles.text(id, index);
    } catch (error) {
      const message = error instanceof ManifestError ? error.message : `${file.path}: ${(error as Error).message}`;
      problems.push({ code: 'manifest_invalid', message, object: file.path, blocking: true });
    }
  }
  try {
    const used = fillChartContent(docs, charts);
    for (const [path, content] of charts) if (!used.has(path)) docs.push(defaultHelmChart(path, chartNames.get(path) ?? 'chart', content));
  } catch (error) {
    problems.push({ code: 'manifest_invalid', message: (error as Error).message, object: null, blocking: true });
  }
  return { docs, notes, problems };
}

export function desiredObjects(docs: readonly ParsedDoc[], served: ReadonlyMap<string, boolean>, manifest: BundleManifest): DesiredObject[] {
  const scope = scopeResolver(served, docs);
  return docs.map((d) => desiredObject(d, scope(d.apiVersion, d.kind), manifest.name, manifest.version));
}

export async function bundleView(ports: ObservePorts, id: string, manifest: BundleManifest, signers: string[], served: ReadonlyMap<string, boolean>): Promise<BundleView> {
  const read = await readBundleDocs(ports.bundles, id, manifest);
  return { id, manifest, signers, notes: read.notes, objects: desiredObjects(read.docs, served, manifest), problems: read.problems };
}

/** The committed version of `release` (its kept bundle's objects), or null when nothing is installed. */
export async function installedView(ports: ObservePorts, release: string, served: ReadonlyMap<string, boolean>): Promise<InstalledView | null> {
  const row = ports.store.release(release);
  if (!row?.bundleId || row.version === null) return null;
  let objects: DesiredObject[] = [];
  const kept = ports.store.bundle(row.bundleId);
  if (kept && (await ports.bundles.has(row.bundleId))) objects = desiredObjects((await readBundleDocs(ports.bundles, row.bundleId, kept.manifest)).docs, served, kept.manifest);
  return { bundleId: row.bundleId, version: row.version, sequence: row.sequence, floor: row.floor, inventory: row.inventory, objects };
}

/** Fields other managers own that this apply changes, from a dry-run apply without force. */
function conflictsOf(error: KubeApiError): LiveObject['conflicts'] {
  const byManager = new Map<string, string[]>();
  for (const cause of error.causes) {
    const manager = /conflict with "([^"]+)"/.exec(cause.message ?? '')?.[1] ?? 'another manager';
    byManager.set(manager, [...(byManager.get(manager) ?? []), (cause.field ?? '?').replace(/^\./, '')]);
  }
  return [...byManager].map(([manager, fields]) => ({ manager, fields }));
}

export interface ClusterFacts {
  cluster: Observed['cluster'];
  served: Map<string, boolean>;
}

export async function clusterFacts(ports: ObservePorts): Promise<ClusterFacts> {
  if (!ports.kube) return { cluster: { reachable: false, error: ports.kubeProblem ?? 'no cluster configured', version: null, architecture: null }, served: new Map() };
  try {
    const [version, nodes, served] = await Promise.all([ports.kube.version(), ports.kube.nodes(), ports.kube.served()]);
    const info = (nodes[0]?.status as { nodeInfo?: { architecture?: string } } | undefined)?.nodeInfo;
    return { cluster: { reachable: true, error: null, version, architecture: info?.architecture ?? null }, served };
  } catch (error) {
    return { cluster: { reachable: false, error: (error as Error).message, version: null, architecture: null }, served: new Map() };
  }
}

/** Runs `work` over `items`, at most `limit` at a time. */
async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

const releaseOf = (o: KObj | null): string | null => (o?.metadata?.labels as Record<string, string> | undefined)?.[RELEASE_LABEL] ?? null;

/** Live state of every object the plan touches (8 requests at a time); `refused` collects objects the API server would reject. */
export async function liveObjects(kube: ClusterPort, objects: readonly DesiredObject[], served: ReadonlyMap<string, boolean>, lookOnly: readonly DesiredObject[] = []): Promise<{ live: Map<string, LiveObject>; refused: PlanProblem[] }> {
  const live = new Map<string, LiveObject>();
  const refused: PlanProblem[] = [];
  await pool(lookOnly, 8, async (o) => {
    const current = served.has(`${o.apiVersion}/${o.kind}`) ? await kube.get(o) : null;
    if (current) live.set(o.key, { release: releaseOf(current), conflicts: [] });
  });
  await pool(objects, 8, async (o) => {
    if (!served.has(`${o.apiVersion}/${o.kind}`)) return;
    const current = await kube.get(o);
    let conflicts: LiveObject['conflicts'] = [];
    try {
      await kube.apply(o.body, { dryRun: true, force: false });
    } catch (error) {
      if (!(error instanceof KubeApiError)) throw error;
      if (error.status === 409) conflicts = conflictsOf(error);
      else if (error.status !== 404) refused.push({ code: 'object_refused', message: `${objectLabel(o)}: the API server refuses it: ${error.message}`, object: objectLabel(o), blocking: true });
    }
    if (current) live.set(o.key, { release: releaseOf(current), conflicts });
  });
  return { live, refused };
}

export async function imageFacts(images: ImageStorePort): Promise<Observed['containerd']> {
  try {
    return { reachable: true, error: null, images: await images.list() };
  } catch (error) {
    return { reachable: false, error: (error as Error).message, images: new Map<string, ImageFacts>() };
  }
}

export function otherReleases(store: UpgradeStore, release: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of store.releases()) if (r.name !== release) for (const o of r.inventory.objects) out.set(o.key, r.name);
  return out;
}
