#!/usr/bin/env node
// Loads every entry of a built package both ways — `import()` and `require()` (Node >= 20.19 loads ES modules
// from require) — in a plain Node process, and prints JSON: the sorted export names of each entry, and every
// value (exported class, function, object, or the result of a named zero-argument getter) that is not the
// same object across entries and module systems. Used by the packages' exports tests.
// Usage: node scripts/package-surface.mjs <package dir> [getter,getter…]
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = resolve(process.argv[2] ?? '.');
const getters = (process.argv[3] ?? '').split(',').filter(Boolean);
const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
const require = createRequire(join(dir, 'package.json'));

const entries = {};
const loaded = [];
// A prebuilt bundle (a target under dist/browser/, e.g. @offcode/client/browser) is a second, self-contained
// copy by design: not part of the shared-chunk surface; tools/release-check imports it from the tarball.
const bundled = (target) => JSON.stringify(target).includes('/browser/');
for (const [subpath, target] of Object.entries(pkg.exports)) {
  if (subpath === './package.json' || bundled(target)) continue;
  const specifier = subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`;
  const viaImport = await import(pathToFileURL(require.resolve(specifier)).href);
  const viaRequire = require(specifier);
  entries[subpath] = Object.keys(viaImport).sort();
  loaded.push({ at: `import ${specifier}`, mod: viaImport }, { at: `require ${specifier}`, mod: viaRequire });
}

const seen = new Map();
const mismatches = [];
function compare(name, value, at) {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return;
  const first = seen.get(name);
  if (!first) seen.set(name, { value, at });
  else if (first.value !== value) mismatches.push(`${name}: ${first.at} !== ${at}`);
}
for (const { at, mod } of loaded) {
  for (const name of Object.keys(mod)) {
    if (name === 'default' || name === 'module.exports') continue;
    compare(name, mod[name], at);
  }
  for (const getter of getters) {
    if (typeof mod[getter] === 'function') compare(`${getter}()`, mod[getter](), at);
  }
}
const compared = [...seen.keys()].length;
process.stdout.write(`${JSON.stringify({ name: pkg.name, entries, compared, mismatches })}\n`);
