// The command line as users install it (issue 12 item 7): `npx` and `npm install -g` of the packed @offcode/cli
// tarball. The registry has no @offcode/* packages yet, so the tarballs of the CLI's @offcode dependencies (found
// from the tarballs' own manifests, transitively) are given to npm in the same command; third-party dependencies
// come from the npm registry (or npm's cache). The tarballs are copied into a directory named after their
// content, so npx's install cache (keyed by the spec strings) and the global prefix never serve a stale build.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot, packAll, scratchEnv } from './scratch.mjs';

export const CLI_PACKAGE = '@offcode/cli';

/** @param {string} tarball */
const manifestOf = (tarball) =>
  JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }));

/**
 * The CLI tarball and those of its @offcode dependencies (transitively), copied to a content-named directory.
 * @returns {{ dir: string, tarballs: string[], version: string }}
 */
export function cliTarballs() {
  const packed = packAll(join(cacheRoot, 'cli-tarballs'));
  const byName = new Map(packed.map((p) => [p.name, { ...p, manifest: manifestOf(p.tarball) }]));
  /** @type {string[]} */
  const needed = [];
  const visit = (/** @type {string} */ name) => {
    if (needed.includes(name)) return;
    const p = byName.get(name);
    if (!p) throw new Error(`${name} is a dependency of ${CLI_PACKAGE} but no packed publishable package`);
    needed.push(name);
    for (const dep of Object.keys(p.manifest.dependencies ?? {})) if (dep.startsWith('@offcode/')) visit(dep);
  };
  visit(CLI_PACKAGE);
  const hash = createHash('sha256');
  for (const name of needed.sort()) hash.update(readFileSync(/** @type {any} */ (byName.get(name)).tarball));
  const dir = join(cacheRoot, `cli-${hash.digest('hex').slice(0, 16)}`);
  const tarballs = needed.map((name) => {
    const from = /** @type {any} */ (byName.get(name)).tarball;
    const to = join(dir, 'tarballs', from.split('/').pop());
    if (!existsSync(to)) {
      mkdirSync(join(dir, 'tarballs'), { recursive: true });
      copyFileSync(from, to);
    }
    return to;
  });
  return { dir, tarballs, version: /** @type {any} */ (byName.get(CLI_PACKAGE)).manifest.version };
}

const BASE_FLAGS = [
  '--no-audit',
  '--no-fund',
  '--prefer-offline',
  '--loglevel=error',
  '--no-update-notifier',
];
/** @type {string | undefined} */
let scopeRegistry;
const npmFlags = () => (scopeRegistry ? [...BASE_FLAGS, `--@offcode:registry=${scopeRegistry}`] : BASE_FLAGS);

/**
 * npm still asks the registry for the manifests of the tarballs' @offcode dependencies (it then takes the
 * tarballs given in the same command). The public registry answers 404 for them, but through this machine's
 * network that lookup has also hung on TLS errors and retries; so the @offcode scope is pointed at a local
 * registry that answers 404 at once (a child process: the npm calls here are synchronous). Third-party
 * dependencies still come from the npm registry or npm's cache. Returns a function that stops it.
 * @returns {Promise<() => void>}
 */
export async function useLocalScopeRegistry() {
  const code = `const s=require('node:http').createServer((q,r)=>{r.writeHead(404,{'content-type':'application/json'});r.end('{"error":"Not found"}')});s.listen(0,'127.0.0.1',()=>console.log(s.address().port))`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (c) => reject(new Error(`local scope registry exited with ${c}`)));
    child.stdout.once('data', (d) => resolve(String(d).trim()));
  });
  scopeRegistry = `http://127.0.0.1:${port}/`;
  return () => {
    scopeRegistry = undefined;
    child.kill();
  };
}

/** @type {string | undefined} */
let userCache;
/** npm's cache of the real user: the checks run the CLI with another HOME, npx must not start a cold cache. */
const npmCache = () => {
  userCache ??= execFileSync('npm', ['config', 'get', 'cache'], {
    encoding: 'utf8',
    env: scratchEnv(),
  }).trim();
  return userCache;
};

/**
 * `npx --yes --package <each tarball> -- offcode …args` in `cwd` (not a project: npx installs into its cache).
 * @param {string[]} tarballs @param {string[]} args @param {{ cwd: string, env?: Record<string, string> }} o
 */
export function npxOffcode(tarballs, args, o) {
  const packages = tarballs.flatMap((t) => ['--package', t]);
  const flags = [...npmFlags(), '--cache', npmCache()];
  return run('npx', ['--yes', ...flags, ...packages, '--', 'offcode', ...args], o);
}

/**
 * `npm install -g --prefix <dir>/global <tarballs>` once per tarball set; returns the installed `offcode` bin.
 * @param {{ dir: string, tarballs: string[] }} set
 */
export function globalInstall(set) {
  const prefix = join(set.dir, 'global');
  const bin = join(prefix, 'bin', 'offcode');
  if (!existsSync(join(set.dir, '.global-installed'))) {
    rmSync(prefix, { recursive: true, force: true });
    execFileSync('npm', ['install', '-g', '--prefix', prefix, ...npmFlags(), ...set.tarballs], {
      cwd: set.dir,
      encoding: 'utf8',
      stdio: 'pipe',
      env: scratchEnv(),
    });
    writeFileSync(join(set.dir, '.global-installed'), '');
  }
  return { prefix, bin };
}

/**
 * Runs a command to its exit (the tests check the status and both streams).
 * @param {string} command @param {string[]} args @param {{ cwd: string, env?: Record<string, string> }} o
 * @returns {{ status: number | null, stdout: string, stderr: string }}
 */
export function run(command, args, o) {
  const r = spawnSync(command, args, {
    cwd: o.cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: scratchEnv(o.env),
    timeout: 300_000,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
