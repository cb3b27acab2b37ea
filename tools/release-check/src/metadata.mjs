#!/usr/bin/env node
// The metadata every published package carries, derived from the root package.json (one place to change the
// repository address): license, repository (with the package's directory), homepage, bugs, engines.
// `node tools/release-check/src/metadata.mjs --write` fills in what is missing or different (only these fields).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publishablePackages, readJson, repoRoot } from './workspace.mjs';

/** The Node versions the test command runs the packages on (README "Releasing"): 20.19+, 22.12+, 24+. */
export const NODE_ENGINES = '^20.19.0 || ^22.12.0 || >=24';

/**
 * @param {string} rel the package's directory, relative to the repository root
 * @param {Record<string, any>} root the root package.json
 */
export function expectedMetadata(rel, root = readJson(join(repoRoot, 'package.json'))) {
  const web = String(root.repository?.url ?? '')
    .replace(/^git\+/, '')
    .replace(/\.git$/, '');
  if (!/^https:\/\/\S+$/.test(web)) throw new Error('the root package.json has no repository.url');
  return {
    license: root.license,
    repository: { type: 'git', url: root.repository.url, directory: rel },
    homepage: `${web}/tree/main/${rel}#readme`,
    bugs: { url: `${web}/issues` },
    engines: { node: NODE_ENGINES },
  };
}

/** Every field of every publishable package that differs from expectedMetadata: `name: field` lines. */
export function metadataProblems(root = repoRoot) {
  const rootPkg = readJson(join(root, 'package.json'));
  const problems = [];
  for (const { name, rel, dir } of publishablePackages(root)) {
    const pkg = readJson(join(dir, 'package.json'));
    for (const [field, want] of Object.entries(expectedMetadata(rel, rootPkg))) {
      if (JSON.stringify(pkg[field]) !== JSON.stringify(want)) {
        problems.push(`${name}: ${field} is ${JSON.stringify(pkg[field])}, expected ${JSON.stringify(want)}`);
      }
    }
  }
  return problems;
}

/** Rewrites the metadata fields in place, keeping every other field and the key order where present. */
export function writeMetadata(root = repoRoot) {
  const rootPkg = readJson(join(root, 'package.json'));
  for (const { dir, rel } of publishablePackages(root)) {
    const file = join(dir, 'package.json');
    const text = readFileSync(file, 'utf8');
    const pkg = JSON.parse(text);
    const want = expectedMetadata(rel, rootPkg);
    /** @type {Record<string, unknown>} */
    const next = {};
    for (const [key, value] of Object.entries(pkg)) {
      next[key] = key in want ? want[/** @type {keyof typeof want} */ (key)] : value;
      if (key === 'license') {
        for (const extra of ['repository', 'homepage', 'bugs']) {
          if (!(extra in pkg)) next[extra] = want[/** @type {keyof typeof want} */ (extra)];
        }
      }
    }
    for (const [key, value] of Object.entries(want)) if (!(key in next)) next[key] = value;
    const out = `${JSON.stringify(next, null, 2)}\n`;
    if (out !== text) writeFileSync(file, out);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--write')) writeMetadata();
  const problems = metadataProblems();
  for (const p of problems) console.error(p);
  process.exit(problems.length === 0 ? 0 : 1);
}
