// One runner, four projects: unit (pure logic, no I/O), ui (Svelte managers, no rendering),
// integration (daemon and real parts on temp dirs and loopback ports), e2e (pages in Chromium).
import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';

const protocol = fileURLToPath(new URL('./daemon/src/protocol', import.meta.url));

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' } },
      {
        plugins: [svelte({ configFile: false })],
        resolve: { alias: { '@protocol': protocol }, conditions: ['browser'] },
        test: { name: 'ui', include: ['ui/src/**/*.test.ts'], environment: 'node' },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/kube-sim/**/*.test.ts', 'test/bundles/**/*.test.ts'],
          environment: 'node',
          // describe.concurrent (the upgrade crash suite) runs at most this many cases at once.
          maxConcurrency: 3,
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
