// The workspace's publishable packages, as pnpm sees them (`pnpm ls -r`): every workspace package that is not
// `private`. Nothing here is per package, so a new package is checked the day it appears.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (two levels above this tool). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** @param {string} file */
export const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

/**
 * @typedef {{ name: string, dir: string, rel: string, pkg: Record<string, any> }} WorkspacePackage
 * @returns {WorkspacePackage[]} every workspace package except the root, sorted by name
 */
export function workspacePackages(root = repoRoot) {
  const listed = JSON.parse(
    execFileSync('pnpm', ['ls', '-r', '--depth', '-1', '--json'], { cwd: root, encoding: 'utf8' }),
  );
  return listed
    .filter((/** @type {{ path: string }} */ p) => p.path !== root)
    .map((/** @type {{ path: string }} */ p) => {
      const pkg = readJson(join(p.path, 'package.json'));
      return { name: pkg.name, dir: p.path, rel: relative(root, p.path).split('\\').join('/'), pkg };
    })
    .sort((/** @type {WorkspacePackage} */ a, /** @type {WorkspacePackage} */ b) =>
      a.name.localeCompare(b.name),
    );
}

/** @type {Map<string, WorkspacePackage[]>} */
const cache = new Map();

/**
 * The packages a release publishes: not `private`, and committed (a package another change is still creating
 * is checked from its first commit on; outside a git checkout every package counts).
 */
export function publishablePackages(root = repoRoot) {
  const hit = cache.get(root);
  if (hit) return hit;
  let tracked = null;
  try {
    tracked = new Set(
      execFileSync('git', ['ls-files', '--', '*package.json'], {
        cwd: root,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).split('\n'),
    );
  } catch {
    tracked = null;
  }
  const out = workspacePackages(root).filter(
    (p) => p.pkg.private !== true && (tracked === null || tracked.has(`${p.rel}/package.json`)),
  );
  cache.set(root, out);
  return out;
}
