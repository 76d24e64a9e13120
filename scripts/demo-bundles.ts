// The demo's upgrade kit: a signing key (trusted by the demo device), and bundle source folders
// for a small plant dashboard — 1.0.0, 1.1.0 (new image, two replicas, a new setting) and 1.2.0,
// which crash-loops so the health gate rolls it back. Each folder is what `outpost bundle build
// --from` takes: bundle.yaml, NOTES.md, manifests/, images/ (tiny real OCI archives).
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generateKeyPair } from '../daemon/src/bundles/index.ts';
import { ociArchive } from '../test/fixtures/bundle-forge/images.ts';

export interface DemoBundleKit {
  dir: string;
  keyPath: string;
  sources: { version: string; dir: string; note: string }[];
}

const VERSIONS = [
  { version: '1.0.0', sequence: 100, replicas: 1, level: 'info', crash: false, note: 'first install' },
  { version: '1.1.0', sequence: 110, replicas: 2, level: 'debug', crash: false, note: 'new image, 2 replicas, a new setting' },
  { version: '1.2.0', sequence: 120, replicas: 2, level: 'debug', crash: true, note: 'crash-loops: the gate rolls it back' },
];

function manifests(v: (typeof VERSIONS)[number]): string {
  const image = `registry.local/demo/plant-dashboard:${v.version}`;
  const crash = v.crash ? '\n      annotations: {sim.outpost.dev/behavior: crashloop}' : '';
  return `apiVersion: v1
kind: Namespace
metadata: {name: dashboard}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: dashboard-settings, namespace: dashboard}
data:
  LOG_LEVEL: ${v.level}
${v.version !== '1.0.0' ? '  REFRESH_SECONDS: "5"\n' : ''}---
apiVersion: v1
kind: Service
metadata: {name: plant-dashboard, namespace: dashboard}
spec:
  selector: {app: plant-dashboard}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: plant-dashboard, namespace: dashboard}
spec:
  replicas: ${v.replicas}
  selector: {matchLabels: {app: plant-dashboard}}
  template:
    metadata:
      labels: {app: plant-dashboard}${crash}
    spec:
      containers:
        - name: dashboard
          image: ${image}
          imagePullPolicy: IfNotPresent
          envFrom: [{configMapRef: {name: dashboard-settings}}]
          ports: [{containerPort: 8080}]
`;
}

/** Writes the kit under `<home>/demo-bundles` and trusts its key in `<home>/trust` (kept across runs). */
export async function writeDemoBundleKit(home: string): Promise<DemoBundleKit> {
  const dir = path.join(home, 'demo-bundles');
  const keys = path.join(dir, 'keys');
  if (!existsSync(keys)) await generateKeyPair(keys);
  const keyFile = (await readdir(keys)).find((f) => f.endsWith('.key')) as string;
  const pubFile = keyFile.replace(/\.key$/, '.pub');
  await mkdir(path.join(home, 'trust', 'keys'), { recursive: true });
  await copyFile(path.join(keys, pubFile), path.join(home, 'trust', 'keys', pubFile));
  const sources: DemoBundleKit['sources'] = [];
  for (const v of VERSIONS) {
    const src = path.join(dir, `plant-dashboard-${v.version}`);
    await mkdir(path.join(src, 'manifests'), { recursive: true });
    await mkdir(path.join(src, 'images'), { recursive: true });
    await writeFile(
      path.join(src, 'bundle.yaml'),
      `name: plant-dashboard\nversion: ${v.version}\nsequence: ${v.sequence}\ncreated: 2026-06-01T00:00:00Z\nexpiresAfterDays: 3650\nrequires:\n  architecture: amd64\n  kubernetes: ">=1.28.0 <1.40.0"\n  outpost: 0.1.0\nannotations:\n  outpost.dev/health-stability-seconds: "10"\n  outpost.dev/health-timeout-seconds: "120"\n`,
    );
    await writeFile(path.join(src, 'NOTES.md'), `# Plant dashboard ${v.version}\n\n${v.note[0]?.toUpperCase()}${v.note.slice(1)}.\n\n- Shows the line's throughput and the historian's last sample.\n`);
    await writeFile(path.join(src, 'manifests', 'dashboard.yaml'), manifests(v));
    const ref = `registry.local/demo/plant-dashboard:${v.version}`;
    await writeFile(path.join(src, 'images', 'plant-dashboard.tar'), ociArchive({ reference: ref, content: `plant dashboard ${v.version}\n` }));
    sources.push({ version: v.version, dir: src, note: v.note });
  }
  return { dir, keyPath: path.join(keys, keyFile), sources };
}
