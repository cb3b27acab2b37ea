// Shared vitest settings: every package writes a JSON report that scripts/test-summary.mjs adds up.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = dirname(fileURLToPath(import.meta.url));

export function offcodeVitestConfig(
  name: string,
  extra: {
    testTimeout?: number;
    hookTimeout?: number;
    pool?: 'forks' | 'threads';
    isolate?: boolean;
  } = {},
) {
  return defineConfig({
    test: {
      name,
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: extra.testTimeout ?? 60_000,
      hookTimeout: extra.hookTimeout ?? 60_000,
      // 'threads' only for suites that touch no process-wide state (cwd, exit, signals, globals): a worker
      // thread starts faster than a forked process (protocol's 38 files: 17 % less CPU).
      pool: extra.pool ?? 'forks',
      // `isolate: false` for suites that pass when their files share a worker's module cache: each file no
      // longer re-imports (and re-compiles) PGlite's WebAssembly and the workspace packages. Measured on the
      // server suite alone, 3 workers: 78 s wall / 147 s CPU isolated, 60 s / 111 s shared.
      isolate: extra.isolate ?? true,
      reporters: ['default', 'json'],
      outputFile: { json: join(root, '.test-results', `${name.replace(/[@/]/g, '_')}.json`) },
    },
  });
}
