// Lint for the daemon, tests, scripts and the Svelte UI.
// Pure modules (protocol, reducers, parsers, planners) must not import I/O: see the
// no-restricted-imports block below.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';

// The agent side (agent/, upgrade/, bundles/) must be able to move into its own process: it never
// imports the web side. Pure modules follow the same rule (they import nothing with I/O at all).
const webSide = [
  { group: ['**/http/*', '**/http/**', '**/feed/*', '**/feed/**'], message: 'the agent side imports nothing of http/ or feed/: pass publishers in' },
];
const ioModules = ['node:fs', 'node:fs/promises', 'node:child_process', 'node:net', 'node:http', 'node:https', 'express', 'ws', '@kubernetes/client-node'];

export default tseslint.config(
  { ignores: ['node_modules/', 'ui/dist/', '.outpost/', 'test-results/', 'test/fixtures/**/generated/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['ui/**/*.ts', 'ui/**/*.svelte'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['ui/**/*.svelte', 'ui/**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
  },
  {
    files: ['daemon/src/agent/**/*.ts', 'daemon/src/upgrade/**/*.ts', 'daemon/src/bundles/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: webSide }] },
  },
  {
    // Pure code: data in, data out. I/O lives in *-adapter.ts, sampler.ts, staging.ts, journal.ts, executors.ts.
    files: ['daemon/src/protocol/**/*.ts', 'daemon/src/**/pure/**/*.ts', 'daemon/src/**/*-pure.ts', 'daemon/src/**/reducer.ts', 'daemon/src/**/parse-*.ts', 'daemon/src/**/planner.ts', 'daemon/src/upgrade/records.ts', 'daemon/src/upgrade/views.ts', 'daemon/src/upgrade/kube-rest.ts', 'daemon/src/agent/socket-protocol.ts', ...['kubeconfig', 'workload-model', 'pod-status', 'rollout', 'object-cache', 'events', 'log-lines', 'kube-types', 'kube-errors'].map((f) => `daemon/src/cluster/${f}.ts`), 'daemon/src/agent/agent.ts', 'daemon/src/agent/exclusive-runner.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: ioModules.map((name) => ({ name, message: 'pure module: do I/O in an adapter' })), patterns: webSide }],
    },
  },
);
