// Loads the config for a CLI command, printing every problem when it is invalid.
import { formatProblems, loadConfig, type Config } from '../config/index.ts';

/** The config, or null after printing why it is invalid (the caller exits 2). */
export function loadConfigOrReport(flags: Record<string, string | undefined>): Config | null {
  const result = loadConfig(flags);
  if (result.ok) return result.config;
  const n = result.problems.length;
  process.stderr.write(`outpost: the configuration is invalid (${n} problem${n === 1 ? '' : 's'}):\n${formatProblems(result.problems)}\n`);
  return null;
}
