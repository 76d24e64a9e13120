// Front door of the support bundle: a .tar.gz of everything a vendor needs to diagnose a device
// that has no network, and nothing that must not leave it (docs/support-bundle.md). Its sources
// are injected collectors; it imports nothing of HTTP or the feed, so it runs in the web process,
// the CLI or the privileged agent alike. One bundle at a time per process.
import { OutpostError } from '../lib/errors.ts';
import { openSupportBundle, type OpenedBundle, type SupportBundleSpec } from './archive-adapter.ts';
import { writeSupportBundleFile, type WrittenBundle } from './file-adapter.ts';

export type { SupportBundleSpec, OpenedBundle } from './archive-adapter.ts';
export { bundleBaseName, openSupportBundle } from './archive-adapter.ts';
export { writeSupportBundleFile, type WrittenBundle } from './file-adapter.ts';
export { planBudget, formatBytes } from './budget-pure.ts';
export { NEVER_INCLUDED, INDEX_FORMAT } from './manifest-pure.ts';
export { createLineScrubber, isSecretName, REDACTED } from './scrub-pure.ts';
export { CLUSTER_KINDS, redactConfig, redactKubeObject } from './redact-pure.ts';
export type * from './types.ts';
export {
  clusterObjectsCollector, eventsCollector, containerLogsCollector,
  type ClusterReader, type ClusterAvailability, type ContainerRef,
} from './collectors/cluster.ts';
export {
  configCollector, auditCollector, statusCollector, healthCollector, upgradesCollector,
  type AuditChainState, type HealthSource, type Live, type UpgradesSource,
} from './collectors/device.ts';
export { versionsCollector, parseOsRelease, type VersionsSource } from './collectors/versions-adapter.ts';
export { daemonLogsCollector, journalChunks, OUTPOST_UNITS, type DaemonLogsSource, type JournalOptions } from './collectors/logs-adapter.ts';

export interface SupportService {
  /** Whether a bundle is being made now. */
  readonly busy: boolean;
  /** Starts a bundle as a stream; `support_bundle_busy` while another one is being made. */
  open(signal: AbortSignal): OpenedBundle;
  /**
   * Writes a bundle to `dest` (a file, or a folder such as a USB stick's root) and returns where and
   * what. The USB hook of issue 13: a stick holding a file named `outpost-support` gets one.
   */
  writeSupportBundle(dest: string, signal: AbortSignal): Promise<WrittenBundle>;
}

/** `spec` is asked again for every bundle, so each one sees the sources as they are then. */
export function createSupportService(spec: () => SupportBundleSpec): SupportService {
  let busy = false;
  const claim = (): (() => void) => {
    if (busy) throw new OutpostError('support_bundle_busy', 'a support bundle is being made right now; try again when it is done');
    busy = true;
    return () => {
      busy = false;
    };
  };
  return {
    get busy() {
      return busy;
    },
    open(signal) {
      const release = claim();
      try {
        const bundle = openSupportBundle(spec(), signal);
        void bundle.done.then(release, release);
        return bundle;
      } catch (error) {
        release();
        throw error;
      }
    },
    async writeSupportBundle(dest, signal) {
      const release = claim();
      try {
        return await writeSupportBundleFile(dest, spec(), signal);
      } finally {
        release();
      }
    },
  };
}
