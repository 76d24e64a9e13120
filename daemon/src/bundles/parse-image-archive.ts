// Pure: from an image archive's member list and its small JSON members, find the image references
// and platform (OCI layout or docker-archive), checking the blobs they point at are present.
import { BundleError } from './errors.ts';

export interface ImageFacts {
  format: 'oci' | 'docker';
  references: string[];
  platform: { os: string; architecture: string; variant?: string };
}

export interface ImageArchiveContents {
  names: ReadonlySet<string>;
  small: ReadonlyMap<string, Buffer>;
}

/** name[:tag][@digest] with a tag or digest: what containerd needs to import under a real name. */
const FULL_REFERENCE = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:[.:][0-9]+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$/;

export function isFullReference(ref: string): boolean {
  return FULL_REFERENCE.test(ref) && (/:[\w][\w.-]{0,127}$/.test(ref.split('/').pop() ?? '') || ref.includes('@sha256:'));
}

function json(contents: ImageArchiveContents, name: string, file: string): Record<string, unknown> {
  const body = contents.small.get(name);
  if (!body) throw new BundleError('bundle.image_invalid', `${file}: ${name} is missing`);
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    if (typeof value !== 'object' || value === null) throw new Error('not a JSON object or array');
    return value as Record<string, unknown>;
  } catch (error) {
    throw new BundleError('bundle.image_invalid', `${file}: ${name} is not valid JSON (${(error as Error).message})`);
  }
}

function blobPath(digest: unknown, file: string): string {
  if (typeof digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(digest)) throw new BundleError('bundle.image_invalid', `${file}: bad digest ${JSON.stringify(digest)}`);
  return `blobs/sha256/${digest.slice(7)}`;
}

function platformOf(config: Record<string, unknown>, file: string): ImageFacts['platform'] {
  const { os, architecture, variant } = config;
  if (typeof os !== 'string' || typeof architecture !== 'string') throw new BundleError('bundle.image_invalid', `${file}: the image config has no os/architecture`);
  return typeof variant === 'string' ? { os, architecture, variant } : { os, architecture };
}

function checkReferences(references: string[], file: string): string[] {
  if (references.length === 0) throw new BundleError('bundle.image_invalid', `${file}: the archive names no image reference (give it a full name such as registry.local/app:1.0)`);
  for (const ref of references) {
    if (!isFullReference(ref)) throw new BundleError('bundle.image_invalid', `${file}: ${JSON.stringify(ref)} is not a full image reference (name:tag or name@sha256:...)`);
  }
  return [...new Set(references)].sort();
}

function resolveOci(contents: ImageArchiveContents, file: string): ImageFacts {
  const index = json(contents, 'index.json', file);
  const descriptors = Array.isArray(index.manifests) ? (index.manifests as Record<string, unknown>[]) : [];
  if (descriptors.length === 0) throw new BundleError('bundle.image_invalid', `${file}: index.json lists no manifests`);
  const references: string[] = [];
  let platform: ImageFacts['platform'] | undefined;
  for (const descriptor of descriptors) {
    const annotations = (descriptor.annotations ?? {}) as Record<string, unknown>;
    const ref = annotations['io.containerd.image.name'] ?? annotations['org.opencontainers.image.ref.name'];
    if (typeof ref === 'string') references.push(ref);
    const manifest = json(contents, blobPath(descriptor.digest, file), file);
    if (!Array.isArray(manifest.layers)) throw new BundleError('bundle.image_invalid', `${file}: ${String(descriptor.digest)} is not an image manifest (multi-platform indexes are not supported)`);
    for (const layer of manifest.layers as Record<string, unknown>[]) {
      const path = blobPath(layer.digest, file);
      if (!contents.names.has(path)) throw new BundleError('bundle.image_invalid', `${file}: layer ${path} is missing`);
    }
    const config = json(contents, blobPath((manifest.config as Record<string, unknown> | undefined)?.digest, file), file);
    const diffIds = (config.rootfs as Record<string, unknown> | undefined)?.diff_ids;
    if (!Array.isArray(diffIds) || diffIds.length !== manifest.layers.length) throw new BundleError('bundle.image_invalid', `${file}: the config's rootfs.diff_ids do not match the layers`);
    platform ??= platformOf(config, file);
  }
  return { format: 'oci', references: checkReferences(references, file), platform: platform as ImageFacts['platform'] };
}

function resolveDocker(contents: ImageArchiveContents, file: string): ImageFacts {
  const entries = json(contents, 'manifest.json', file);
  if (!Array.isArray(entries) || entries.length === 0) throw new BundleError('bundle.image_invalid', `${file}: manifest.json lists no images`);
  const references: string[] = [];
  let platform: ImageFacts['platform'] | undefined;
  for (const entry of entries as Record<string, unknown>[]) {
    const tags = Array.isArray(entry.RepoTags) ? entry.RepoTags.filter((t): t is string => typeof t === 'string') : [];
    references.push(...tags);
    const layers = Array.isArray(entry.Layers) ? entry.Layers : [];
    for (const layer of layers) {
      if (typeof layer !== 'string' || !contents.names.has(layer)) throw new BundleError('bundle.image_invalid', `${file}: layer ${String(layer)} is missing`);
    }
    if (typeof entry.Config !== 'string') throw new BundleError('bundle.image_invalid', `${file}: manifest.json names no Config`);
    platform ??= platformOf(json(contents, entry.Config, file), file);
  }
  return { format: 'docker', references: checkReferences(references, file), platform: platform as ImageFacts['platform'] };
}

export function resolveImageArchive(file: string, contents: ImageArchiveContents): ImageFacts {
  if (contents.names.has('oci-layout') && contents.names.has('index.json')) return resolveOci(contents, file);
  if (contents.names.has('manifest.json')) return resolveDocker(contents, file);
  throw new BundleError('bundle.image_invalid', `${file}: neither an OCI layout (oci-layout, index.json) nor a docker-archive (manifest.json)`);
}
