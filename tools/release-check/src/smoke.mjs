// Runs inside a scratch project that installed the packed tarballs with npm (copied there by scratch.mjs).
// For every installed @offcode package: every exports-map entry resolves, loads with `import()` and with
// `require()` (the same module namespace), its `types` file is in the package; every bin answers --help.
// `--examples` also runs the examples each package ships. Prints one JSON line; exit 1 when a check failed.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, 'package.json'));
const scope = join(here, 'node_modules', '@offcode');
const failures = [];
const entries = [];
const ran = [];

/** Every file the exports map names for a subpath (each condition), relative to the package. */
function targets(value, out = []) {
  if (typeof value === 'string') out.push(value);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) targets(v, out);
  return out;
}

async function checkEntry(name, dir, subpath, target) {
  const specifier = subpath === '.' ? name : `${name}/${subpath.slice(2)}`;
  for (const file of targets(target)) {
    if (!existsSync(join(dir, file)))
      failures.push(`${specifier}: exports names ${file}, not in the package`);
  }
  if (subpath === './package.json') return;
  const viaImport = await import(specifier);
  const viaRequire = require(specifier);
  const fileImport = fileURLToPath(import.meta.resolve(specifier));
  if (fileImport !== require.resolve(specifier))
    failures.push(`${specifier}: import and require resolve apart`);
  const names = Object.keys(viaImport).filter((n) => n !== 'default');
  if (names.length === 0) failures.push(`${specifier}: exports nothing`);
  for (const n of names) {
    if (viaRequire[n] !== viaImport[n])
      failures.push(`${specifier}: require().${n} is not the imported ${n}`);
  }
  entries.push(`${specifier} (${names.length})`);
}

async function checkPackage(entry) {
  const dir = join(scope, entry);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
    try {
      await checkEntry(pkg.name, dir, subpath, target);
    } catch (error) {
      failures.push(`${pkg.name} ${subpath}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  for (const bin of Object.keys(pkg.bin ?? {})) {
    try {
      execFileSync(join(here, 'node_modules', '.bin', bin), ['--help'], { encoding: 'utf8', stdio: 'pipe' });
      ran.push(`${bin} --help`);
    } catch (error) {
      failures.push(
        `${bin} --help: ${
          String(error.stderr ?? error.message)
            .trim()
            .split('\n')[0]
        }`,
      );
    }
  }
  if (process.argv.includes('--examples') && existsSync(join(dir, 'examples'))) {
    for (const file of readdirSync(join(dir, 'examples')).filter((f) => f.endsWith('.mjs'))) {
      try {
        execFileSync(process.execPath, [join(dir, 'examples', file)], { stdio: 'pipe', timeout: 60_000 });
        ran.push(`${pkg.name}/examples/${file}`);
      } catch (error) {
        failures.push(`${pkg.name}/examples/${file}: ${String(error.stderr ?? error.message).trim()}`);
      }
    }
  }
}

for (const entry of readdirSync(scope).sort()) await checkPackage(entry);
process.stdout.write(`${JSON.stringify({ node: process.version, entries, ran, failures })}\n`);
process.exit(failures.length === 0 ? 0 : 1);
