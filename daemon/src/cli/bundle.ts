// `outpost bundle keygen|build|inspect|verify`: thin argument handling over the bundles capability.
// Exit codes: 0 success, 1 the bundle or an input was refused (a stable code is printed), 2 usage.
import { parseArgs } from 'node:util';
import { buildBundle, FRESH_DEVICE, generateKeyPair, inspectBundle, isBundleError, loadSigningKey, loadTrust, verifyBundleFile, type BundleSummary, type DeviceState, type VerifiedBundle } from '../bundles/index.ts';

export const bundleHelp = `usage: outpost bundle COMMAND ...

  keygen --out DIR
      make an Ed25519 signing key pair in DIR (<key id>.key mode 0600, <key id>.pub); prints the key id
  build --from DIR --key KEY [--key KEY2 ...] --out FILE
      build and sign a bundle from DIR (bundle.yaml, NOTES.md, manifests/*.yaml, charts/*.tgz,
      images/*.tar); reproducible: created comes from bundle.yaml or SOURCE_DATE_EPOCH
  inspect FILE [--json]
      show what a bundle says about itself (reads only its first members; checks no signature)
  verify FILE --trust DIR [--stage-to DIR] [--json]
         [--installed-sequence N] [--sequence-floor N] [--newest-seen TIME] [--now TIME]
      the full verification; exit 0 when valid, 1 with a stable code when not

The format, the trust folder and every error code: docs/bundle-format.md.`;

function usageError(message: string): number {
  process.stderr.write(`outpost bundle: ${message}\n\n${bundleHelp}\n`);
  return 2;
}

function refused(error: unknown, json: boolean): number {
  if (!isBundleError(error)) throw error;
  if (json) process.stdout.write(`${JSON.stringify({ ok: false, code: error.code, message: error.message, member: error.member ?? null })}\n`);
  else process.stderr.write(`${error.code}: ${error.message}\n`);
  return 1;
}

async function keygen(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { out: { type: 'string' } }, strict: true });
  if (!values.out) return usageError('keygen needs --out DIR');
  try {
    const pair = await generateKeyPair(values.out);
    process.stdout.write(`${pair.keyId}\n`);
    process.stderr.write(`private key: ${pair.privateKeyPath} (keep it offline)\npublic key:  ${pair.publicKeyPath} (copy it into a device's trust/keys/)\n`);
    return 0;
  } catch (error) {
    if (isBundleError(error)) return refused(error, false);
    process.stderr.write(`outpost bundle: keygen: ${(error as Error).message}\n`);
    return 1;
  }
}

async function build(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { from: { type: 'string' }, key: { type: 'string', multiple: true }, out: { type: 'string' }, json: { type: 'boolean' } }, strict: true });
  if (!values.from || !values.out || !values.key?.length) return usageError('build needs --from DIR, at least one --key KEY and --out FILE');
  try {
    const keys = await Promise.all(values.key.map((k) => loadSigningKey(k)));
    const result = await buildBundle({ from: values.from, keys, out: values.out, sourceDateEpoch: process.env.SOURCE_DATE_EPOCH });
    const m = result.manifest;
    if (values.json) process.stdout.write(`${JSON.stringify({ ok: true, file: values.out, bytes: result.bytes, signers: result.signers, manifest: m })}\n`);
    else process.stdout.write(`${values.out}: ${m.name} ${m.version} (sequence ${m.sequence}), ${m.files.length} files, ${result.bytes} bytes, signed by ${result.signers.join(', ')}\n`);
    return 0;
  } catch (error) {
    return refused(error, values.json ?? false);
  }
}

function formatSummary(file: string, s: BundleSummary): string {
  const m = s.manifest;
  const lines = [
    `${file}: ${m.name} ${m.version}`,
    `  sequence   ${m.sequence}${m.sequenceFloor !== undefined ? ` (raises the floor to ${m.sequenceFloor})` : ''}`,
    `  created    ${m.created}`,
    `  expires    ${m.expires}`,
    `  requires   ${m.requires.architecture}, Kubernetes ${m.requires.kubernetes}, outpost >= ${m.requires.outpost}`,
    `  signers    ${s.claimedSigners.join(', ')} (claimed; run verify to check them)`,
    `  payload    ${m.files.length} files, ${s.totalPayloadBytes} bytes`,
  ];
  for (const f of m.files) {
    lines.push(`  ${f.role.padEnd(9)}  ${f.path} (${f.size} bytes)`);
    for (const ref of f.references ?? []) lines.push(`               ${ref} ${f.platform ? `[${f.platform.os}/${f.platform.architecture}${f.platform.variant ? `/${f.platform.variant}` : ''}]` : ''}`);
    for (const o of f.objects ?? []) lines.push(`               ${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`);
  }
  if (s.notes !== null) lines.push('', s.notes.trimEnd());
  return `${lines.join('\n')}\n`;
}

async function inspect(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { json: { type: 'boolean' } }, allowPositionals: true, strict: true });
  const [file] = positionals;
  if (!file || positionals.length !== 1) return usageError('inspect needs exactly one FILE');
  try {
    const summary = await inspectBundle(file);
    process.stdout.write(values.json ? `${JSON.stringify({ ok: true, ...summary })}\n` : formatSummary(file, summary));
    return 0;
  } catch (error) {
    return refused(error, values.json ?? false);
  }
}

function parseDate(text: string | undefined, flag: string): Date | null | undefined {
  if (text === undefined) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? (process.stderr.write(`outpost bundle: ${flag} is not a date\n`), null) : date;
}

function verifiedLine(file: string, v: VerifiedBundle): string {
  const m = v.manifest;
  const staged = v.stagingDir ? `, staged in ${v.stagingDir}` : '';
  return `ok: ${file}: ${m.name} ${m.version} (sequence ${m.sequence}), signed by ${v.signers.join(', ')}, ${m.files.length} files, ${v.bytes} bytes${staged}\n`;
}

async function verify(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      trust: { type: 'string' },
      'stage-to': { type: 'string' },
      json: { type: 'boolean' },
      'installed-sequence': { type: 'string' },
      'sequence-floor': { type: 'string' },
      'newest-seen': { type: 'string' },
      now: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  const [file] = positionals;
  if (!file || positionals.length !== 1 || !values.trust) return usageError('verify needs FILE and --trust DIR');
  const installed = Number(values['installed-sequence'] ?? FRESH_DEVICE.installedSequence);
  const floor = Number(values['sequence-floor'] ?? FRESH_DEVICE.sequenceFloor);
  if (!Number.isSafeInteger(installed) || !Number.isSafeInteger(floor)) return usageError('--installed-sequence and --sequence-floor take whole numbers');
  const now = parseDate(values.now, '--now');
  const newest = parseDate(values['newest-seen'], '--newest-seen');
  if (now === null || newest === null) return 2;
  const device: DeviceState = { installedSequence: installed, sequenceFloor: floor, newestCreatedSeen: newest ?? null, now: now ?? new Date() };
  const json = values.json ?? false;
  try {
    const trust = await loadTrust(values.trust);
    const result = await verifyBundleFile(file, { trust, device, stageTo: values['stage-to'] ?? null, durable: true });
    if (json) {
      const files = result.files.map((f) => ({ path: f.path, role: f.role, size: f.size, sha256: f.sha256, stagedPath: f.stagedPath }));
      process.stdout.write(`${JSON.stringify({ ok: true, name: result.manifest.name, version: result.manifest.version, sequence: result.manifest.sequence, signers: result.signers, stagingDir: result.stagingDir, files })}\n`);
    } else process.stdout.write(verifiedLine(file, result));
    return 0;
  } catch (error) {
    return refused(error, json);
  }
}

const subcommands: Record<string, (args: string[]) => Promise<number>> = { keygen, build, inspect, verify };

export async function bundleCommand(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  const run = name === undefined ? undefined : subcommands[name];
  if (!run) return usageError(name === undefined ? 'which command?' : `unknown command '${name}'`);
  try {
    return await run(rest);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || (error as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return usageError((error as Error).message);
    throw error;
  }
}
