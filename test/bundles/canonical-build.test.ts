// `outpost bundle build` writes exactly the canonical form the verifier demands: the manifest is
// the re-serialisation of its own value, every header is the one encoding of its name and size,
// every padding is zeros; and inputs whose values have no canonical spelling fail the build.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseManifest, serializeManifest } from '../../daemon/src/bundles/parse-manifest.ts';
import { BLOCK, decodeHeader, encodeHeader, isZeroBlock, padding } from '../../daemon/src/bundles/tar-header-pure.ts';
import { APP_YAML, writeBuildInputs, writeTrust } from '../fixtures/bundle-forge/forge.ts';
import { runCli } from './run-cli.ts';

let dir: string;
let trust: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'outpost-canonical-build-'));
  trust = await writeTrust(join(dir, 'trust'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const HEAD = 'name: forge-app\nversion: 1.0.0\nsequence: 5\ncreated: 2026-05-01T00:00:00Z\nexpires: 2027-05-01T00:00:00Z\n';
const REQUIRES = 'requires:\n  architecture: amd64\n  kubernetes: ">=1.28.0 <1.34.0"\n  outpost: 0.1.0\n';
// Keys in no particular order, keys JavaScript would enumerate first ("10", "9"), every escape.
const ANNOTATIONS = `annotations:
  zeta: last
  "10": ten
  "9": nine
  alpha: lower
  Alpha: capital
  nested: {b: [1, -2, 9007199254740991, -9007199254740991, 0], a: {y: true, x: null, w: [], v: {}}}
  text: "slash / quote \\" backslash \\\\ tab \\t line \\n bell \\x07 del \\x7f \\u00e9 \\U0001F600 \\u2028"
`;

async function build(name: string, bundleYaml: string, extra: (from: string) => Promise<void> = async () => undefined) {
  const other = await mkdtemp(join(dir, `${name}-`));
  const inputs = await writeBuildInputs(other, { bundleYaml });
  await extra(inputs.from);
  const out = join(other, 'b.outpost');
  const result = await runCli(['bundle', 'build', '--from', inputs.from, '--key', inputs.keyPath, '--out', out]);
  return { other, out, result };
}

describe('outpost bundle build writes the canonical form', () => {
  it('writes a manifest that is its own re-serialisation, headers in their one encoding, zero padding, and the verifier accepts it', async () => {
    const { out, result } = await build('rich', `${HEAD}${REQUIRES}${ANNOTATIONS}`);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const bytes = await readFile(out);

    const names: string[] = [];
    let offset = 0;
    let manifestBytes = Buffer.alloc(0);
    while (!isZeroBlock(bytes.subarray(offset, offset + BLOCK))) {
      const block = bytes.subarray(offset, offset + BLOCK);
      const header = decodeHeader(block, `member ${names.length + 1}`);
      expect(block.equals(encodeHeader({ name: header.name, size: header.size }))).toBe(true);
      const body = bytes.subarray(offset + BLOCK, offset + BLOCK + header.size);
      if (header.name === 'manifest.json') manifestBytes = Buffer.from(body);
      const pad = bytes.subarray(offset + BLOCK + header.size, offset + BLOCK + header.size + padding(header.size));
      expect(isZeroBlock(pad)).toBe(true);
      names.push(header.name);
      offset += BLOCK + header.size + padding(header.size);
    }
    expect(bytes.length).toBe(offset + 2 * BLOCK);
    expect(names.slice(0, 2)).toEqual(['manifest.json', 'manifest.sig']);

    const manifest = parseManifest(manifestBytes);
    expect(serializeManifest(manifest).equals(manifestBytes)).toBe(true);
    expect(manifest.annotations?.text).toBe('slash / quote " backslash \\ tab \t line \n bell \x07 del \x7f é 😀 \u2028');
    const text = manifestBytes.toString('utf8');
    const order = ['"10"', '"9"', '"Alpha"', '"alpha"', '"nested"', '"text"', '"zeta"'].map((key) => text.indexOf(`${key}: `));
    expect(order.every((at, i) => at > 0 && (i === 0 || at > order[i - 1]!))).toBe(true);
    expect(text).toContain('"text": "slash / quote \\" backslash \\\\ tab \\t line \\n bell \\u0007 del \x7f é 😀 \u2028"');

    const verified = await runCli(['bundle', 'verify', out, '--trust', trust, '--now', '2026-06-01T00:00:00Z']);
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);
  });

  it.each([
    ['a fractional annotation', `${HEAD}${REQUIRES}annotations:\n  ratio: 0.5\n`, /bundle\.build_input_invalid: .*annotations\.ratio.*0\.5/],
    ['an integer annotation beyond 2^53 - 1', `${HEAD}${REQUIRES}annotations:\n  big: 9007199254740993\n`, /bundle\.build_input_invalid: .*annotations\.big/],
    ['an annotation that is not in NFC', `${HEAD}${REQUIRES}annotations:\n  note: "cafe\\u0301"\n`, /bundle\.build_input_invalid: .*Normalization Form C/],
  ])('refuses %s, writing nothing', async (_name, bundleYaml, message) => {
    const { other, result } = await build('bad', bundleYaml);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(await readdir(other)).not.toContain('b.outpost');
  });

  it('refuses two inputs whose names are one name on a case-insensitive stick', async () => {
    const { other, result } = await build('case', `${HEAD}${REQUIRES}`, (from) => writeFile(join(from, 'manifests', 'APP.yaml'), APP_YAML));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^bundle\.build_input_invalid: .*"manifests\/app\.yaml" and "manifests\/APP\.yaml" are one name/);
    expect(await readdir(other)).not.toContain('b.outpost');
  });
});
