// Lint for the daemon, tests, scripts and the Svelte UI.
// Pure modules (protocol, reducers, parsers, planners) must not import I/O: see the
// no-restricted-imports block below.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';

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
    // One typed API client (ui/src/lib/api.ts) is the only way the UI calls the daemon: it carries
    // the session's CSRF token and turns problems into stable codes.
    files: ['ui/**/*.ts', 'ui/**/*.svelte'],
    ignores: ['ui/src/lib/api.ts', 'ui/**/*.test.ts', 'ui/vite.config.ts'],
    rules: {
      'no-restricted-globals': ['error', { name: 'fetch', message: 'call the daemon through the ApiClient (ui/src/lib/api.ts)' }, { name: 'XMLHttpRequest', message: 'call the daemon through the ApiClient (ui/src/lib/api.ts)' }],
      'no-restricted-properties': ['error', { object: 'window', property: 'fetch', message: 'use the ApiClient' }, { object: 'globalThis', property: 'fetch', message: 'use the ApiClient' }],
    },
  },
  {
    files: ['ui/**/*.svelte', 'ui/**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
  },
  {
    // The support bundle runs in the web process, the CLI or the privileged agent: nothing of HTTP or the feed.
    files: ['daemon/src/support/**/*.ts'],
    ignores: ['daemon/src/support/**/*-pure.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ['express', 'ws'].map((name) => ({ name, message: 'the support capability takes its sources injected; no HTTP or feed inside' })),
        patterns: [{ group: ['**/http/*', '**/feed/*', '**/http', '**/feed'], message: 'the support capability takes its sources injected; no HTTP or feed inside' }],
      }],
    },
  },
  {
    // Pure code: data in, data out. I/O lives in *-adapter.ts, sampler.ts, staging.ts, journal.ts, executors.ts.
    files: ['daemon/src/protocol/**/*.ts', 'daemon/src/**/pure/**/*.ts', 'daemon/src/**/*-pure.ts', 'daemon/src/**/reducer.ts', 'daemon/src/**/parse-*.ts', 'daemon/src/**/planner.ts', ...['kubeconfig', 'workload-model', 'pod-status', 'rollout', 'settled', 'object-cache', 'events', 'log-lines', 'kube-types', 'kube-errors'].map((f) => `daemon/src/cluster/${f}.ts`), 'daemon/src/status/combine.ts', 'daemon/src/agent/agent.ts', 'daemon/src/agent/exclusive-runner.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: ioModules.map((name) => ({ name, message: 'pure module: do I/O in an adapter' })) }],
    },
  },
);
