/**
 * Builds this package once before the suites: dist/main.js (the start command, run as child processes by
 * the scale-out and start tests) and dist/assets/token.js (the token page bundle, loaded by Chromium). Both
 * builds take a few seconds and always run, so the tests never exercise a stale bundle.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

export default async function setup(): Promise<void> {
  const tsupCli = join(dirname(require.resolve('tsup/package.json')), 'dist', 'cli-default.js');
  execFileSync(process.execPath, [tsupCli, '--silent'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  execFileSync(process.execPath, [join(root, 'scripts', 'build-token-page.mjs')], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
