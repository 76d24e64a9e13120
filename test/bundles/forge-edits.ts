// Small edits on a forged bundle model, each changing exactly one thing.
import type { RawMember } from '../fixtures/bundle-forge/raw-tar.ts';
import { serializeMembers } from '../fixtures/bundle-forge/raw-tar.ts';
import type { ForgedBundle } from '../fixtures/bundle-forge/forge.ts';

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
