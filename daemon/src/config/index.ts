export { loadConfig } from './load.ts';
export { resolveConfig, formatProblems, type Config, type ConfigProblem, type ConfigSources } from './resolve.ts';
export { configSchema } from './schema.ts';
