// The test command's one vitest run over every package (scripts/test.sh): each package's own
// vitest.config.ts is a project, so all test files share one pool of workers and a long package no longer
// waits for a short one to finish (`pnpm --filter <pkg> test` still runs one package alone).
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      'packages/*/vitest.config.ts',
      'packages/client/vitest.hermes.config.ts',
      'apps/*/vitest.config.ts',
      'tools/*/vitest.config.ts',
    ],
    // Two cores, but most files wait on PostgreSQL, child processes or the browser for part of their time.
    maxWorkers: 3,
    reporters: ['default', 'json'],
    outputFile: { json: join(import.meta.dirname, '.test-results', 'all.json') },
  },
});
