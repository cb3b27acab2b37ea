// Packs every publishable package with the release tooling (`pnpm pack`: workspace: ranges rewritten, LICENSE
// added) and installs the tarballs with plain npm in a scratch project (third-party dependencies from the
// registry or npm's cache). A scratch project is reused while the tarballs are byte-identical.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publishablePackages, repoRoot } from './workspace.mjs';

const here = dirname(fileURLToPath(import.meta.url));
// Outside the repository: Node's resolution must not find the workspace's node_modules above the scratch project.
export const cacheRoot = join(tmpdir(), `offcode-release-check-${process.getuid?.() ?? 'user'}`);

/**
 * @typedef {{ name: string, rel: string, tarball: string }} Packed
 * @param {string} dest
 * @returns {Packed[]}
 */
export function packAll(dest) {
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  const pkgs = publishablePackages();
  const filters = pkgs.flatMap((p) => ['--filter', `./${p.rel}`]);
  const out = execFileSync('pnpm', ['-r', ...filters, 'pack', '--pack-destination', dest, '--json'], {
    cwd: repoRoot,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const listed = /** @type {{ name: string, filename: string }[]} */ (JSON.parse(out));
  return pkgs.map((p) => {
    const hit = listed.find((l) => l.name === p.name);
    if (!hit) throw new Error(`pnpm pack did not pack ${p.name}`);
    return { name: p.name, rel: p.rel, tarball: hit.filename };
  });
}

/** @param {string} cwd @param {string[]} args */
const npm = (cwd, args) =>
  execFileSync('npm', [...args, '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], {
    cwd,
    encoding: 'utf8',
    stdio: 'pipe',
    env: scratchEnv(),
  });

/**
 * A scratch project with every tarball installed by npm and no PGlite; `pgliteRange` is the server's peer range.
 * @returns {{ dir: string, packed: Packed[], reused: boolean }}
 */
export function scratchProject() {
  const packed = packAll(join(cacheRoot, 'tarballs'));
  const hash = createHash('sha256');
  for (const p of packed) hash.update(readFileSync(p.tarball));
  for (const f of ['smoke.mjs', 'pg-only.mjs']) hash.update(readFileSync(join(here, f)));
  const dir = join(cacheRoot, `scratch-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(join(dir, '.installed'))) return { dir, packed, reused: true };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const tarballs = join(dir, 'tarballs');
  mkdirSync(tarballs);
  /** @type {Record<string, string>} */
  const deps = {};
  for (const p of packed) {
    const file = join(tarballs, p.tarball.split('/').pop() ?? '');
    copyFileSync(p.tarball, file);
    deps[p.name] = `file:${file}`;
  }
  // overrides: the packages' dependencies on each other (exact released versions) come from the tarballs too.
  const manifest = {
    name: 'offcode-scratch',
    private: true,
    type: 'module',
    dependencies: deps,
    overrides: deps,
  };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  for (const f of ['smoke.mjs', 'pg-only.mjs']) copyFileSync(join(here, f), join(dir, f));
  npm(dir, ['install']);
  writeFileSync(join(dir, '.installed'), '');
  return { dir, packed, reused: false };
}

/** Installs the optional PGlite peer (the server's range) into a scratch project, once. @param {string} dir */
export function addPglite(dir) {
  if (existsSync(join(dir, '.pglite'))) return;
  const server = JSON.parse(
    readFileSync(join(dir, 'node_modules', '@offcode', 'server', 'package.json'), 'utf8'),
  );
  const range = server.peerDependencies?.['@electric-sql/pglite'];
  if (!range) throw new Error('@offcode/server has no @electric-sql/pglite peer range');
  npm(dir, ['install', `@electric-sql/pglite@${range}`]);
  writeFileSync(join(dir, '.pglite'), '');
}

/** Takes PGlite out again (a reused scratch project after a run that added it). @param {string} dir */
export function removePglite(dir) {
  if (!existsSync(join(dir, '.pglite'))) return;
  npm(dir, ['uninstall', '@electric-sql/pglite']);
  rmSync(join(dir, '.pglite'));
}

/**
 * The environment for processes in the scratch project: without pnpm's NODE_PATH (it would let `require` find
 * the workspace's packages) and npm_* variables.
 * @param {Record<string, string>} extra
 */
export function scratchEnv(extra = {}) {
  /** @type {Record<string, string>} */
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && k !== 'NODE_PATH' && !k.startsWith('npm_') && !k.startsWith('PNPM_')) env[k] = v;
  }
  return { ...env, ...extra };
}
