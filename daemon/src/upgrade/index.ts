// Front door of the upgrade engine (docs/upgrades.md). Agent side: it imports nothing of http/ or
// feed/; the daemon (main.ts) or the CLI builds it and passes publishers in. It talks to the API
// server over node:https with the kubeconfig's credentials; @kubernetes/client-node (~80 MB of RSS)
// is loaded only for a kubeconfig that needs an auth plugin.
export { UpgradeService, type UpgradeServiceDeps } from './service.ts';
export { BundleStore } from './bundle-store.ts';
export { UpgradeStore } from './journal.ts';
export { EngineLock, type LockHolder } from './lock-adapter.ts';
export { containerdImageStore, type ImageStorePort, type ContainerdOptions } from './containerd-adapter.ts';
export type { ClusterPort } from './kube-rest.ts';
export { faultInjector, FAULT_MARK } from './fault-adapter.ts';
export { UPGRADE_CODES, type UpgradeCode } from './errors.ts';
export { MAX_RESUMES } from './journal-pure.ts';
export { KEEP_VERSIONS } from './executors.ts';
export { MANAGED_BY_LABEL, RELEASE_LABEL, VERSION_ANNOTATION, STABILITY_ANNOTATION, TIMEOUT_ANNOTATION } from './manifests-pure.ts';
export { ARCHIVE_LABEL, PINNED_LABEL } from './planner.ts';

import { connectKubeHttp } from '../kube/index.ts';
import { RestCluster, type ClusterPort } from './kube-rest.ts';

/** Connects the engine's own Kubernetes client. Throws when the kubeconfig cannot be read. */
export async function connectUpgradeCluster(kubeconfig: string | 'in-cluster'): Promise<ClusterPort> {
  const { http } = await connectKubeHttp(kubeconfig);
  return new RestCluster((request) => http.request(request), http.server);
}
