/** The repository's own text files (what a citation or a link can be in), found from any folder inside it. */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export function findRepoRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no pnpm-workspace.yaml above ${from}`);
  }
}

export const REPO_ROOT = findRepoRoot();
export const SPEC_DIR = join(REPO_ROOT, 'docs', 'spec');

/** Never scanned: installed, built or generated output, and data. */
const SKIPPED_DIRS = new Set([
  'node_modules',
  'dist',
  'build',
  'generated',
  '.git',
  '.turbo',
  '.test-results',
  'artifacts',
  'coverage',
  '.data',
]);
const TEXT = /\.(?:[cm]?[jt]sx?|d\.[cm]?ts|sh|md|json|ya?ml|sql|html|css|txt)$/;

function isScanned(path: string): boolean {
  const parts = path.split('/');
  if (parts.slice(0, -1).some((p) => SKIPPED_DIRS.has(p))) return false;
  if (path === 'pnpm-lock.yaml') return false;
  // Vector data is not prose; the README beside it is.
  if (parts[0] === 'test-vectors' && !path.endsWith('.md')) return false;
  return TEXT.test(path);
}

function walk(dir: string, root: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.isDirectory()) return SKIPPED_DIRS.has(e.name) ? [] : walk(join(dir, e.name), root);
    return [relative(root, join(dir, e.name)).split('\\').join('/')];
  });
}

/**
 * Tracked and new (not ignored) text files, relative to the root, sorted. Git decides what belongs to the
 * repository; a copy without .git (an exported tree) is walked instead, with the same exclusions.
 */
export function repoTextFiles(root = REPO_ROOT): string[] {
  let files: string[];
  try {
    const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    files = out.split('\0').filter((f) => f && existsSync(join(root, f)));
  } catch {
    files = walk(root, root);
  }
  return [...new Set(files)].filter(isScanned).sort();
}
