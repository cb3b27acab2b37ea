/**
 * Makes sure this package's build is current before the suites: dist/main.js (the start command, run as
 * child processes by the scale-out and start tests) and dist/assets/token.js (the token page bundle, loaded
 * by Chromium). The test command builds every package once (turbo's `test` depends on `build`), so there the
 * outputs are newer than every input and nothing is built twice; a direct `vitest run` after an edit (of this
 * package or of a workspace package the bundle embeds) rebuilds first, so the tests never exercise a stale
 * bundle.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const OUTPUTS = ['dist/main.js', 'dist/index.js', 'dist/assets/token.js'].map((f) => join(root, f));

/** Newest modification time under a file or folder (0 when it does not exist). */
function newest(path: string): number {
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(path);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

/** This package's build inputs and the built workspace packages it embeds or imports. */
function inputsTime(): number {
  const own = ['src', 'scripts', 'package.json', 'tsup.config.ts'].map((f) => newest(join(root, f)));
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  const workspace = Object.keys(pkg.dependencies ?? {})
    .filter((name) => name.startsWith('@offcode/'))
    .map((name) => newest(join(realpathSync(join(root, 'node_modules', name)), 'dist')));
  return Math.max(...own, ...workspace);
}

function outputsTime(): number {
  return Math.min(...OUTPUTS.map((f) => newest(f) || Number.NEGATIVE_INFINITY));
}

export default async function setup(): Promise<void> {
  if (outputsTime() > inputsTime()) return;
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
