// Pure: merges defaults < file < environment < flags, validates once, reports every problem with
// its path and where the value came from. No I/O here; load.ts reads the file.
import { parseDocument } from 'yaml';
import path from 'node:path';
import { configSchema, type ConfigShape } from './schema.ts';
import { deepFreeze, type DeepReadonly } from '../lib/deep-freeze.ts';

export type Config = DeepReadonly<Omit<ConfigShape, 'agent'> & { agent: ConfigShape['agent'] & { socket: string }; home: string; configFile: string | null }>;

export interface ConfigProblem {
  path: string;
  message: string;
  source?: string;
}

export interface ConfigSources {
  file?: { path: string; text: string };
  env: Record<string, string | undefined>;
  /** Flags as parsed from the command line (`--port 80` → { port: '80' }). */
  flags: Record<string, string | undefined>;
  cwd: string;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: ConfigProblem[] };

type Tree = Record<string, unknown>;

/** Environment variables and flags, each mapped to a config path. */
const ENV_MAP: Record<string, string> = {
  OUTPOST_HOME: 'home',
  OUTPOST_PORT: 'listen.port',
  OUTPOST_LISTEN: 'listen.address',
  OUTPOST_LOG_LEVEL: 'log.level',
  OUTPOST_KIOSK_PORT: 'kiosk.port',
  OUTPOST_KUBECONFIG: 'cluster.kubeconfig',
  OUTPOST_CONTAINERD_ADDRESS: 'containerd.address',
  OUTPOST_AGENT_MODE: 'agent.mode',
  OUTPOST_AGENT_SOCKET: 'agent.socket',
  OUTPOST_AGENT_KUBECONFIG: 'agent.kubeconfig',
  OUTPOST_USB_POLICY: 'usb.policy',
};
const FLAG_MAP: Record<string, string> = {
  home: 'home',
  port: 'listen.port',
  listen: 'listen.address',
  'log-level': 'log.level',
  'kiosk-port': 'kiosk.port',
  /** `outpost serve --with-agent` sets it to `child`. */
  'agent-mode': 'agent.mode',
};
const NUMERIC_PATHS = new Set(['listen.port', 'kiosk.port']);

function setPath(tree: Tree, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let node = tree;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    node = (next !== null && typeof next === 'object' ? next : (node[key] = {})) as Tree;
  }
  node[keys[keys.length - 1]!] = value;
}

function coerce(dotted: string, raw: string): unknown {
  return NUMERIC_PATHS.has(dotted) && /^\d+$/.test(raw.trim()) ? Number(raw) : raw;
}

function deepMerge(base: Tree, over: Tree): Tree {
  const out: Tree = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prev = out[key];
    const bothObjects = value && prev && typeof value === 'object' && typeof prev === 'object' && !Array.isArray(value) && !Array.isArray(prev);
    out[key] = bothObjects ? deepMerge(prev as Tree, value as Tree) : value;
  }
  return out;
}

export function resolveConfig(sources: ConfigSources): ConfigResult {
  const problems: ConfigProblem[] = [];
  const origin = new Map<string, string>();
  let fileTree: Tree = {};

  if (sources.file) {
    const doc = parseDocument(sources.file.text, { uniqueKeys: true, prettyErrors: true });
    for (const error of doc.errors) {
      problems.push({ path: '(file)', message: error.message.split('\n')[0] ?? error.message, source: sources.file.path });
    }
    const parsed: unknown = doc.errors.length === 0 ? doc.toJS() : null;
    if (parsed !== null && parsed !== undefined && (typeof parsed !== 'object' || Array.isArray(parsed))) {
      problems.push({ path: '(root)', message: 'the config file must be a YAML mapping', source: sources.file.path });
    } else if (parsed) {
      fileTree = parsed as Tree;
    }
  }

  const envTree: Tree = {};
  for (const [name, dotted] of Object.entries(ENV_MAP)) {
    const raw = sources.env[name];
    if (raw === undefined || raw === '') continue;
    setPath(envTree, dotted, coerce(dotted, raw));
    origin.set(dotted, `environment ${name}`);
  }
  const flagTree: Tree = {};
  for (const [flag, dotted] of Object.entries(FLAG_MAP)) {
    const raw = sources.flags[flag];
    if (raw === undefined) continue;
    setPath(flagTree, dotted, coerce(dotted, raw));
    origin.set(dotted, `flag --${flag}`);
  }

  const merged = deepMerge(deepMerge(fileTree, envTree), flagTree);
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const dotted = issue.path.map(String).join('.') || '(root)';
      const keys = issue.code === 'unrecognized_keys' ? issue.keys.map((k) => (dotted === '(root)' ? k : `${dotted}.${k}`)) : [dotted];
      for (const key of keys) {
        problems.push({ path: key, message: issue.message, source: origin.get(key) ?? sources.file?.path ?? 'defaults' });
      }
    }
  }
  if (problems.length > 0 || !result.success) return { ok: false, problems };

  const config = {
    ...result.data,
    home: path.resolve(sources.cwd, result.data.home),
    cluster: { ...result.data.cluster, kubeconfig: result.data.cluster.kubeconfig === undefined || result.data.cluster.kubeconfig === 'none' ? result.data.cluster.kubeconfig : path.resolve(sources.cwd, result.data.cluster.kubeconfig) },
    agent: {
      ...result.data.agent,
      socket: path.resolve(sources.cwd, result.data.agent.socket ?? path.join(result.data.home, 'agent.sock')),
      kubeconfig: result.data.agent.kubeconfig === undefined || result.data.agent.kubeconfig === 'none' ? result.data.agent.kubeconfig : path.resolve(sources.cwd, result.data.agent.kubeconfig),
    },
    uploads: { ...result.data.uploads, spoolDir: path.resolve(sources.cwd, result.data.uploads.spoolDir ?? path.join(result.data.home, 'uploads')) },
    upgrade: { ...result.data.upgrade, trustDir: path.resolve(sources.cwd, result.data.upgrade.trustDir ?? path.join(result.data.home, 'trust')) },
    configFile: sources.file?.path ?? null,
  };
  return { ok: true, config: deepFreeze(config) };
}

export function formatProblems(problems: ConfigProblem[]): string {
  return problems.map((p) => `  ${p.path}: ${p.message}${p.source ? ` (from ${p.source})` : ''}`).join('\n');
}
