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
// Calls that block the event loop, which serves every client.
const blocking = [
  ...['node:child_process', 'child_process'].map((name) => ({ name, importNames: ['execSync', 'execFileSync', 'spawnSync'], message: 'blocks the event loop: use the async form with a timeout' })),
  { name: 'systeminformation', message: 'runs processes synchronously and asks DNS: read /proc, /sys and /etc instead' },
];
const ioModules = ['node:fs', 'node:fs/promises', 'node:child_process', 'node:net', 'node:http', 'node:https', 'express', 'ws', '@kubernetes/client-node'];

export default tseslint.config(
  { ignores: ['node_modules/', 'ui/dist/', 'dist/', '.outpost/', 'test-results/', 'test/fixtures/**/generated/'] },
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
    // One event loop serves every client: the daemon never waits on a process synchronously, and never
    // uses systeminformation (its execSync `hostname -f` asks DNS and blocks ~10 s on an air-gapped box).
    files: ['daemon/src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: blocking }] },
  },
  {
    // A later block's rule replaces an earlier one's for the same files: repeat the blocking list here.
    // The privileged agent's process: its composition root and command too (test/unit/agent-imports.test.ts
    // also walks its whole import graph).
    files: [
      'daemon/src/agent/**/*.ts',
      'daemon/src/upgrade/**/*.ts',
      'daemon/src/bundles/**/*.ts',
      'daemon/src/agent-main.ts',
      'daemon/src/upgrade-host.ts',
      'daemon/src/cli/agent.ts',
      'daemon/src/usb/**/*.ts',
      // kube/ is the Kubernetes client both sides share: it follows the agent side's rule.
      'daemon/src/kube/**/*.ts',
    ],
    rules: { 'no-restricted-imports': ['error', { paths: blocking, patterns: webSide }] },
  },
  {
    // The support bundle runs in the web process, the CLI or the privileged agent: nothing of HTTP or the feed.
    files: ['daemon/src/support/**/*.ts'],
    ignores: ['daemon/src/support/**/*-pure.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...blocking, ...['express', 'ws'].map((name) => ({ name, message: 'the support capability takes its sources injected; no HTTP or feed inside' }))],
          patterns: webSide,
        },
      ],
    },
  },
  {
    // Pure code: data in, data out. I/O lives in *-adapter.ts, sampler.ts, staging.ts, journal.ts, executors.ts.
    files: [
      'daemon/src/protocol/**/*.ts',
      'daemon/src/**/pure/**/*.ts',
      'daemon/src/**/*-pure.ts',
      'daemon/src/**/reducer.ts',
      'daemon/src/**/parse-*.ts',
      'daemon/src/**/planner.ts',
      'daemon/src/upgrade/records.ts',
      'daemon/src/upgrade/views.ts',
      'daemon/src/upgrade/kube-rest.ts',
      'daemon/src/agent/socket-protocol.ts',
      ...['kubeconfig', 'workload-model', 'pod-status', 'rollout', 'settled', 'object-cache', 'events', 'log-lines', 'kube-types', 'kube-errors'].map((f) => `daemon/src/cluster/${f}.ts`),
      'daemon/src/status/combine.ts',
      'daemon/src/status/upgrade-concerns.ts',
      'daemon/src/agent/agent.ts',
      'daemon/src/agent/exclusive-runner.ts',
      'daemon/src/agent/verbs.ts',
      'daemon/src/agent/dispatch.ts',
      'daemon/src/agent/local-agent.ts',
      'daemon/src/agent/event-stream.ts',
      'daemon/src/lib/backoff.ts',
    ],
    rules: {
      'no-restricted-imports': ['error', { paths: ioModules.map((name) => ({ name, message: 'pure module: do I/O in an adapter' })), patterns: webSide }],
    },
  },
);
