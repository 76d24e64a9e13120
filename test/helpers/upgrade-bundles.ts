// Real, signed bundles for upgrade tests, made by the real builder (`bundle build`) from a source
// folder: bundle.yaml, NOTES.md, manifests, tiny real OCI image archives. The trust folder trusts
// the forge's key A.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildBundle } from '../../daemon/src/bundles/index.ts';
import { ociArchive } from '../fixtures/bundle-forge/images.ts';
import { KEY_A } from '../fixtures/bundle-forge/test-keys.ts';
import { writeTrust } from '../fixtures/bundle-forge/forge.ts';

export interface AppBundle {
  name?: string;
  version: string;
  sequence: number;
  manifests: Record<string, string>;
  /** Image references to pack, each a tiny real image whose content names it. */
  images?: string[];
  annotations?: Record<string, string>;
  notes?: string;
  expires?: string;
  requires?: { architecture?: string; kubernetes?: string; outpost?: string };
  /** Extra bytes in each image's one file, to make the archives larger. */
  imagePadding?: string;
  /** charts/<name>: a Helm chart .tgz. */
  charts?: Record<string, Buffer>;
}

export async function writeTrustFolder(dir: string): Promise<string> {
  return writeTrust(dir, { keys: [KEY_A], revoked: [] });
}

export async function buildAppBundle(dir: string, spec: AppBundle): Promise<string> {
  const name = spec.name ?? 'app';
  const src = path.join(dir, `src-${name}-${spec.version}`);
  for (const sub of ['manifests', 'images', 'charts']) await mkdir(path.join(src, sub), { recursive: true });
  const r = spec.requires ?? {};
  const annotations = Object.entries(spec.annotations ?? {}).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
  await writeFile(
    path.join(src, 'bundle.yaml'),
    [
      `name: ${name}`,
      `version: ${spec.version}`,
      `sequence: ${spec.sequence}`,
      'created: 2026-05-01T00:00:00Z',
      `expires: ${spec.expires ?? '2036-05-01T00:00:00Z'}`,
      'requires:',
      `  architecture: ${r.architecture ?? 'amd64'}`,
      `  kubernetes: "${r.kubernetes ?? '>=1.28.0 <1.40.0'}"`,
      `  outpost: ${r.outpost ?? '0.1.0'}`,
      ...(annotations.length > 0 ? ['annotations:', ...annotations] : []),
      '',
    ].join('\n'),
  );
  await writeFile(path.join(src, 'NOTES.md'), spec.notes ?? `# ${name} ${spec.version}\n\nTest release.\n`);
  for (const [file, yaml] of Object.entries(spec.manifests)) await writeFile(path.join(src, 'manifests', file), yaml);
  for (const [file, tgz] of Object.entries(spec.charts ?? {})) await writeFile(path.join(src, 'charts', file), tgz);
  for (const [i, ref] of (spec.images ?? []).entries()) await writeFile(path.join(src, 'images', `image-${i}.tar`), ociArchive({ reference: ref, content: `${ref}\n${spec.imagePadding ?? ''}` }));
  const out = path.join(dir, `${name}-${spec.version}.outpost`);
  await buildBundle({ from: src, keys: [KEY_A], out, sourceDateEpoch: undefined });
  return out;
}

export function deploymentYaml(namespace: string, name: string, image: string, options: { replicas?: number; behavior?: string; env?: Record<string, string> } = {}): string {
  const env = Object.entries(options.env ?? {}).map(([k, v]) => `            - {name: ${k}, value: "${v}"}`);
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  replicas: ${options.replicas ?? 1}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata:
      labels: {app: ${name}}
${options.behavior ? `      annotations: {sim.outpost.dev/behavior: ${options.behavior}, sim.outpost.dev/run-ms: "200"}\n` : ''}    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: ${name}
          image: ${image}
          imagePullPolicy: IfNotPresent
${env.length > 0 ? `          env:\n${env.join('\n')}\n` : ''}`;
}
