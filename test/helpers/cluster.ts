// A cluster for integration tests: the kube-sim with fast timings, or a real cluster when
// OUTPOST_TEST_KUBECONFIG names a kubeconfig (tests that must stop the API server are sim-only).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startHarness, type SimHarness } from '../kube-sim/test-kit.ts';

export const REAL_KUBECONFIG = process.env.OUTPOST_TEST_KUBECONFIG ?? '';

export interface TestCluster {
  kubeconfig: string;
  /** The sim, or null against a real cluster. */
  sim: SimHarness['sim'] | null;
  kubectl(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }>;
  close(): Promise<void>;
}

export async function startTestCluster(): Promise<TestCluster> {
  if (REAL_KUBECONFIG) {
    const dir = mkdtempSync(path.join(tmpdir(), 'outpost-kube-'));
    const kubectl = (args: string[], input?: string) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        const child = execFile('/usr/bin/kubectl', ['--kubeconfig', REAL_KUBECONFIG, '--cache-dir', path.join(dir, 'cache'), '--request-timeout', '20s', ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
          resolve({ code: error ? 1 : 0, stdout, stderr });
        });
        if (input !== undefined) child.stdin?.end(input);
      });
    return { kubeconfig: REAL_KUBECONFIG, sim: null, kubectl, close: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const harness = await startHarness({ bookmarkMs: 1000 });
  return { kubeconfig: harness.kubeconfig, sim: harness.sim, kubectl: (args, input) => harness.kubectl(args, { input }), close: () => harness.close() };
}

/** A namespace with a deployment that logs a line a second and a bare pod (real clusters need `OUTPOST_TEST_IMAGE`, default busybox:1.36). */
export function testWorkloads(namespace: string): string {
  const image = process.env.OUTPOST_TEST_IMAGE ?? 'docker.io/library/busybox:1.36';
  const command = `[sh, -c, 'i=0; while true; do i=$((i+1)); echo "tick $i"; sleep 1; done']`;
  return `apiVersion: v1
kind: Namespace
metadata: {name: ${namespace}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ticker, namespace: ${namespace}}
spec:
  replicas: 1
  selector: {matchLabels: {app: ticker}}
  template:
    metadata: {labels: {app: ticker}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - {name: tick, image: ${image}, command: ${command}}
---
apiVersion: v1
kind: Pod
metadata: {name: lonely, namespace: ${namespace}, labels: {app: lonely}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - {name: tick, image: ${image}, command: ${command}}
`;
}

export async function eventually<T>(probe: () => Promise<T | undefined | null | false> | T | undefined | null | false, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
