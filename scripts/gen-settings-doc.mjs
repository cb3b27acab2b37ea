#!/usr/bin/env node
// Regenerates docs/settings.md from the settings declarations (packages/server/src/settings/server-settings.ts,
// apps/api/src/settings.ts, apps/api/src/settings-tools.ts). The rendering lives in
// apps/api/src/settings-reference.ts; its test compares the file (vitest's file snapshot), and this script
// runs that test in update mode, so the generator and the staleness check are one piece of code.
// Usage: node scripts/gen-settings-doc.mjs   (needs `pnpm install`; builds nothing)
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = spawnSync(
  'pnpm',
  ['--filter', '@offcode/api', 'exec', 'vitest', 'run', 'test/settings-reference.test.ts', '--update'],
  { cwd: root, stdio: 'inherit' },
);
if (run.error) {
  process.stderr.write(`gen-settings-doc: cannot run pnpm: ${run.error.message}\n`);
  process.exit(1);
}
process.exit(run.status ?? 1);
