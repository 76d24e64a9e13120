// Small edits on a forged bundle model, each changing exactly one thing.
import type { RawMember } from '../fixtures/bundle-forge/raw-tar.ts';
import { serializeMembers } from '../fixtures/bundle-forge/raw-tar.ts';
import { remanifest, resign, type ForgedBundle } from '../fixtures/bundle-forge/forge.ts';

export function member(bundle: ForgedBundle, name: string): RawMember {
  const found = bundle.members.find((m) => m.name === name);
  if (!found) throw new Error(`the forge has no member ${name}`);
  return found;
}

export function indexOf(bundle: ForgedBundle, name: string): number {
  const index = bundle.members.findIndex((m) => m.name === name);
  if (index === -1) throw new Error(`the forge has no member ${name}`);
  return index;
}

export function insertAfter(bundle: ForgedBundle, name: string, added: RawMember): void {
  bundle.members.splice(indexOf(bundle, name) + 1, 0, added);
}

export function removeMember(bundle: ForgedBundle, name: string): void {
  bundle.members.splice(indexOf(bundle, name), 1);
}

/** Byte offset of a member's header (or its first extension block) in the serialized bundle. */
export function headerOffset(bundle: ForgedBundle, name: string): number {
  return serializeMembers(bundle.members.slice(0, indexOf(bundle, name)), Buffer.alloc(0)).length;
}

/** Replaces one field of manifest.sig's first entry (keeps the JSON shape). */
export function editSignature(bundle: ForgedBundle, edit: (entry: Record<string, string>, all: Record<string, string>[]) => void): void {
  const sig = member(bundle, 'manifest.sig');
  const doc = JSON.parse(sig.body.toString()) as { signatures: Record<string, string>[] };
  edit(doc.signatures[0] as Record<string, string>, doc.signatures);
  sig.body = Buffer.from(`${JSON.stringify(doc, null, 2)}\n`);
}

export function nested(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = { deeper: value };
  return value;
}

/** Rewrites manifest.json's bytes and signs them again, so the edit reaches the parser; an edit that changes nothing throws. */
export function editManifestBytes(bundle: ForgedBundle, edit: (bytes: Buffer) => Buffer): void {
  const manifest = member(bundle, 'manifest.json');
  const next = edit(manifest.body);
  if (next.equals(manifest.body)) throw new Error('the manifest edit changed nothing');
  manifest.body = next;
  resign(bundle);
}

/** editManifestBytes on the text: replaces `from` (which must occur) with `to`. */
export function editManifestText(bundle: ForgedBundle, from: string | RegExp, to: string): void {
  editManifestBytes(bundle, (bytes) => Buffer.from(bytes.toString('utf8').replace(from, to), 'utf8'));
}

/** Sets one listed file's path in the manifest (signed); the member keeps its name, since the manifest is refused first. */
export function listPath(bundle: ForgedBundle, index: number, path: string): void {
  (bundle.manifest.files[index] as Record<string, unknown>).path = path;
  remanifest(bundle);
}
