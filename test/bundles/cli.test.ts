// `outpost bundle keygen|build|inspect|verify` end to end: real processes, temp folders, the
// forge's build inputs (tiny real OCI and docker-archive images).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgeBundle, NOTES, serializeBundle, writeBuildInputs, writeTrust } from '../fixtures/bundle-forge/forge.ts';
import { dockerArchive, ociArchive } from '../fixtures/bundle-forge/images.ts';
import { simpleTar } from '../fixtures/bundle-forge/raw-tar.ts';
import { runCli } from './run-cli.ts';

const run = promisify(execFile);
let dir: string;
let from: string;
let keyPath: string;
let trust: string;
let bundle: string;
const NOW = ['--now', '2026-06-01T00:00:00Z'];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'outpost-bundle-cli-'));
  ({ from, keyPath } = await writeBuildInputs(dir));
  trust = await writeTrust(join(dir, 'trust'));
  bundle = join(dir, 'app.outpost');
  const built = await runCli(['bundle', 'build', '--from', from, '--key', keyPath, '--out', bundle]);
  expect(built.stderr).toBe('');
  expect(built.code).toBe(0);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('outpost bundle keygen', () => {
  it('writes a 0600 private key and a public key named by the printed key id', async () => {
    const out = join(dir, 'keys');
    const result = await runCli(['bundle', 'keygen', '--out', out]);
    expect(result.code).toBe(0);
    const keyId = result.stdout.trim();
    expect(keyId).toMatch(/^[0-9a-f]{32}$/);
    expect(((await stat(join(out, `${keyId}.key`))).mode & 0o777).toString(8)).toBe('600');
    expect(await readFile(join(out, `${keyId}.pub`), 'utf8')).toContain('BEGIN PUBLIC KEY');
  });
});

describe('outpost bundle build', () => {
  it('is reproducible and agrees byte for byte with the forge', async () => {
    const again = join(dir, 'again.outpost');
    expect((await runCli(['bundle', 'build', '--from', from, '--key', keyPath, '--out', again])).code).toBe(0);
    const first = await readFile(bundle);
    expect((await readFile(again)).equals(first)).toBe(true);
    expect(first.equals(serializeBundle(forgeBundle()))).toBe(true);
  });

  it('takes created from SOURCE_DATE_EPOCH when bundle.yaml has none', async () => {
    const other = await mkdtemp(join(dir, 'epoch-'));
    const inputs = await writeBuildInputs(other, { bundleYaml: 'name: forge-app\nversion: 1.0.1\nsequence: 6\nexpiresAfterDays: 30\nrequires: {architecture: amd64, kubernetes: ">=1.28.0", outpost: 0.1.0}\n' });
    const out = join(other, 'b.outpost');
    const result = await runCli(['bundle', 'build', '--from', inputs.from, '--key', inputs.keyPath, '--out', out, '--json'], { env: { SOURCE_DATE_EPOCH: '1780000000' } });
    expect(result.code).toBe(0);
    const { manifest } = JSON.parse(result.stdout) as { manifest: { created: string; expires: string } };
    expect(manifest.created).toBe('2026-05-28T20:26:40Z');
    expect(manifest.expires).toBe('2026-06-27T20:26:40Z');
  });

  it('records references and platform of a docker-archive image', async () => {
    const other = await mkdtemp(join(dir, 'docker-'));
    const inputs = await writeBuildInputs(other, { images: { 'side.tar': dockerArchive({ reference: 'registry.local/forge/side:2.1' }) } });
    const result = await runCli(['bundle', 'build', '--from', inputs.from, '--key', inputs.keyPath, '--out', join(other, 'b.outpost'), '--json']);
    expect(result.code).toBe(0);
    const { manifest } = JSON.parse(result.stdout) as { manifest: { files: { path: string; references?: string[]; platform?: unknown }[] } };
    expect(manifest.files.find((f) => f.path === 'images/side.tar')).toMatchObject({ references: ['registry.local/forge/side:2.1'], platform: { os: 'linux', architecture: 'amd64' } });
  });

  it('reads image archives written by skopeo (OCI and docker-archive)', async () => {
    const other = await mkdtemp(join(dir, 'skopeo-'));
    const inputs = await writeBuildInputs(other);
    const source = join(other, 'source.tar');
    await writeFile(source, ociArchive());
    await run('skopeo', ['copy', '-q', `oci-archive:${source}`, `oci-archive:${join(inputs.from, 'images', 'sk-oci.tar')}:registry.local/sk/oci:3.0`], { timeout: 20_000 });
    await run('skopeo', ['copy', '-q', `oci-archive:${source}`, `docker-archive:${join(inputs.from, 'images', 'sk-docker.tar')}:registry.local/sk/docker:2.0`], { timeout: 20_000 });
    const result = await runCli(['bundle', 'build', '--from', inputs.from, '--key', inputs.keyPath, '--out', join(other, 'b.outpost'), '--json']);
    expect(result.code).toBe(0);
    const { manifest } = JSON.parse(result.stdout) as { manifest: { files: { path: string; references?: string[] }[] } };
    expect(manifest.files.filter((f) => f.path.startsWith('images/sk-')).map((f) => f.references)).toEqual([['registry.local/sk/docker:2.0'], ['registry.local/sk/oci:3.0']]);
  });

  it.each([
    ['a manifest document without kind', 'manifests/bad.yaml', 'apiVersion: v1\nmetadata: {name: x}\n', 'bundle.build_input_invalid'],
    ['a manifest that is not YAML', 'manifests/bad.yaml', 'a: [1, 2\n', 'bundle.build_input_invalid'],
    ['an image whose reference is a bare tag', 'images/bare.tar', ociArchive({ reference: 'latest' }), 'bundle.image_invalid'],
    ['an image for another architecture', 'images/arm.tar', ociArchive({ architecture: 'arm64' }), 'bundle.image_invalid'],
    ['an image archive that is not a tar', 'images/junk.tar', 'this is not a tar file at all', 'bundle.image_invalid'],
    ['a chart that is not gzip', 'charts/plain.tgz', 'apiVersion: v2\n', 'bundle.build_input_invalid'],
    ['a chart without Chart.yaml', 'charts/empty.tgz', gzipSync(simpleTar([{ name: 'x/values.yaml', body: Buffer.from('a: 1\n') }])), 'bundle.build_input_invalid'],
  ])('refuses %s', async (_name, path, body, code) => {
    const other = await mkdtemp(join(dir, 'bad-'));
    const inputs = await writeBuildInputs(other);
    await writeFile(join(inputs.from, path), body);
    const out = join(other, 'b.outpost');
    const result = await runCli(['bundle', 'build', '--from', inputs.from, '--key', inputs.keyPath, '--out', out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^${code.replace('.', '\\.')}: .*${path.split('/')[1]!.replace('.', '\\.')}`));
    expect(await readdir(other)).not.toContain('b.outpost');
  });
});

describe('outpost bundle inspect', () => {
  it('shows signers, requirements, images with references, manifests by kind and name, and the notes', async () => {
    const result = await runCli(['bundle', 'inspect', bundle]);
    expect(result.code).toBe(0);
    for (const text of ['forge-app 1.0.0', 'sequence   5', 'amd64, Kubernetes >=1.28.0 <1.34.0', 'registry.local/forge/hello:1.0 [linux/amd64]', 'Deployment default/hello', 'Service hello', 'First release of the forge app.']) {
      expect(result.stdout).toContain(text);
    }
  });

  it('reads only the first members: a bundle cut off after the notes still inspects', async () => {
    const full = await readFile(bundle);
    const notesEnd = full.indexOf(Buffer.from(NOTES)) + 512;
    const cut = join(dir, 'cut.outpost');
    await writeFile(cut, full.subarray(0, notesEnd));
    const result = await runCli(['bundle', 'inspect', cut, '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, notes: NOTES, claimedSigners: [expect.stringMatching(/^[0-9a-f]{32}$/)] });
  });
});

describe('outpost bundle verify', () => {
  it('accepts the built bundle and stages it under names it chooses, mode 0600', async () => {
    const stage = await mkdtemp(join(dir, 'stage-'));
    const result = await runCli(['bundle', 'verify', bundle, '--trust', trust, '--stage-to', stage, '--json', ...NOW]);
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout) as { ok: boolean; stagingDir: string; files: { path: string; stagedPath: string; sha256: string }[] };
    expect(out.ok).toBe(true);
    expect((await readdir(out.stagingDir)).sort()).toEqual(['0001.blob', '0002.blob', '0003.blob', '0004.blob', 'manifest.json', 'manifest.sig']);
    for (const file of out.files) {
      expect(createHash('sha256').update(await readFile(file.stagedPath)).digest('hex')).toBe(file.sha256);
      expect(((await stat(file.stagedPath)).mode & 0o777).toString(8)).toBe('600');
    }
  });

  it('prints the code and a one-line message naming the member, and JSON with --json', async () => {
    const bytes = await readFile(bundle);
    bytes[bytes.length - 1024 - 700]! ^= 1;
    const bad = join(dir, 'bad.outpost');
    await writeFile(bad, bytes);
    const plain = await runCli(['bundle', 'verify', bad, '--trust', trust, ...NOW]);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/^bundle\.member_digest_mismatch: images\/hello\.tar has sha256 [0-9a-f]{64}, the manifest lists [0-9a-f]{64}\n$/);
    const json = await runCli(['bundle', 'verify', bad, '--trust', trust, '--json', ...NOW]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, code: 'bundle.member_digest_mismatch', member: 'images/hello.tar' });
  });

  it('applies the device state given on the command line', async () => {
    const result = await runCli(['bundle', 'verify', bundle, '--trust', trust, '--installed-sequence', '5', '--json', ...NOW]);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ code: 'bundle.sequence_not_newer', member: 'manifest.json' });
  });

  it('answers a usage error with exit code 2', async () => {
    expect((await runCli(['bundle', 'verify', bundle])).code).toBe(2);
    expect((await runCli(['bundle', 'frobnicate'])).code).toBe(2);
  });
});
