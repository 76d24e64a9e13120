// The parts an upgrade test needs, all real: the kube-sim (fast timings, counting the images of
// the real containerd as present on the node), containerd, a trust folder, a state home, and the
// settings that make the gate quick. Image references carry a per-run prefix, so runs never meet.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolveConfig, type Config } from '../../daemon/src/config/index.ts';
import { startHarness, type SimHarness } from '../kube-sim/test-kit.ts';
import { useContainerd, type TestContainerd } from './containerd.ts';
import { writeTrustFolder } from './upgrade-bundles.ts';

export interface UpgradeEnv {
  dir: string;
  home: string;
  trust: string;
  ctrd: TestContainerd;
  kube: SimHarness;
  /** `registry.local/<unique>/`: every image of this run starts with it. */
  prefix: string;
  settings(extra?: Record<string, unknown>): Record<string, unknown>;
  config(extra?: Record<string, unknown>): Config;
  close(): Promise<void>;
}

export async function startUpgradeEnv(): Promise<UpgradeEnv> {
  const dir = mkdtempSync(path.join(tmpdir(), 'outpost-upgrade-'));
  const home = path.join(dir, 'home');
  const trust = await writeTrustFolder(path.join(dir, 'trust'));
  const ctrd = await useContainerd();
  const kube = await startHarness({ containerdSocket: ctrd.socket, imagePollMs: 100 });
  const prefix = `registry.local/t${randomBytes(4).toString('hex')}/`;
  const settings = (extra: Record<string, unknown> = {}) => ({
    home,
    log: { level: 'silent' },
    listen: { address: '127.0.0.1', port: 0 },
    kiosk: { port: 0 },
    cluster: { kubeconfig: kube.kubeconfig, stabilitySeconds: 2 },
    containerd: { address: ctrd.socket, namespace: ctrd.namespace, root: ctrd.root },
    upgrade: { trustDir: trust, stabilitySeconds: 1.5, timeoutSeconds: 20, pollMs: 100, failingGraceSeconds: 1 },
    ...extra,
  });
  return {
    dir,
    home,
    trust,
    ctrd,
    kube,
    prefix,
    settings,
    config(extra = {}) {
      const result = resolveConfig({ file: { path: 'test', text: JSON.stringify(settings(extra)) }, env: {}, flags: {}, cwd: dir });
      if (!result.ok) throw new Error(JSON.stringify(result.problems));
      return result.config;
    },
    async close() {
      await ctrd.removeImages(prefix).catch(() => undefined);
      await kube.close();
      await ctrd.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An object as `kubectl get -o json` prints it: the few fields upgrade tests read (a wrong shape fails the assertion). */
export interface KubeJson {
  metadata: { labels: Record<string, string>; annotations: Record<string, string>; managedFields: { manager: string }[] };
  spec: { template: { metadata: { annotations?: Record<string, string> }; spec: { containers: [{ image: string }] } } };
  data: Record<string, string>;
  status: { succeeded?: number };
}
