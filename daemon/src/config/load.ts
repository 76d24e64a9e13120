// Adapter: finds and reads the config file, then hands everything to the pure resolver.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { resolveConfig, type ConfigResult } from './resolve.ts';

/** Device path first for an installed daemon; `./outpost.config.yaml` for a checkout. */
const DEFAULT_FILES = ['outpost.config.yaml', '/etc/outpost/config.yaml'];

export function loadConfig(flags: Record<string, string | undefined>, env = process.env, cwd = process.cwd()): ConfigResult {
  const explicit = flags.config ?? env.OUTPOST_CONFIG;
  let file: { path: string; text: string } | undefined;
  if (explicit !== undefined && explicit !== 'none') {
    const filePath = path.resolve(cwd, explicit);
    try {
      file = { path: filePath, text: readFileSync(filePath, 'utf8') };
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? String(error);
      return { ok: false, problems: [{ path: '(file)', message: `cannot read config file: ${reason}`, source: filePath }] };
    }
  } else if (explicit === undefined) {
    const found = DEFAULT_FILES.map((f) => path.resolve(cwd, f)).find((f) => existsSync(f));
    if (found) file = { path: found, text: readFileSync(found, 'utf8') };
  }
  return resolveConfig({ file, env, flags, cwd });
}
