// Where the test vectors live (issue 11): the files published by the PowerAuth project are never copied into the
// repository; suites read them from ../shared/vectors/ beside the checkout (every dev and CI machine has it) or
// from $OFFCODE_SHARED_VECTORS. Project-made files (payload cases, V4 auth codes, KMAC/KDF KAT, activation
// vectors) and the regression vectors recorded by scripts/gen-regression-vectors.mjs live in test-vectors/.
// Plain ESM with Node built-ins only: imported by the test helpers of every package and by the generator.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Environment variable that points the suites (and the generator) at another copy of the published files. */
export const SHARED_VECTORS_ENV = 'OFFCODE_SHARED_VECTORS';

/** Published file (relative to the shared folder) → its regression twin (relative to test-vectors/). */
export const PUBLISHED_FILES = Object.freeze({
  'v3/compute-master-secret-key.json': 'regression/v3-master-secret-key.json',
  'v3/compute-derived-keys.json': 'regression/v3-derived-keys.json',
  'v3/signatures-offline.json': 'regression/v3-offline-signatures.json',
  'v4/ECDHE_P384_Test_Vectors.json': 'regression/v4-ecdhe-p384.json',
  'v4/Hash_Based_Counter_Test_Vectors.json': 'regression/v4-hash-counter.json',
  'v4/data.csv': 'regression/totp.json',
});

/** The nearest folder at or above `from` that holds pnpm-workspace.yaml (the repository root). */
export function findRepoRoot(from = dirname(fileURLToPath(import.meta.url))) {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no pnpm-workspace.yaml above ${from}`);
  }
}

export const REPO_ROOT = findRepoRoot();
/** The project's own vectors (committed). */
export const REPO_VECTORS_DIR = join(REPO_ROOT, 'test-vectors');

/**
 * The checkout this clone was made from, when `origin` is a local path (`git clone . "$d"`, the CI check of
 * DEVELOPERS.md): a clone in a temporary folder still finds ../shared beside the original checkout.
 */
function localOrigin(root) {
  let config;
  try {
    config = readFileSync(join(root, '.git', 'config'), 'utf8');
  } catch {
    return null;
  }
  const section = /\[remote "origin"\]([^[]*)/.exec(config)?.[1] ?? '';
  const url = /^\s*url\s*=\s*(.+?)\s*$/m.exec(section)?.[1];
  if (!url) return null;
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  return path.startsWith('/') ? path : null;
}

/**
 * The published-vectors folder: $OFFCODE_SHARED_VECTORS (relative to the repo root), else <root>/../shared/vectors,
 * else ../shared/vectors beside the local checkout this one was cloned from (that path when neither exists).
 */
export function sharedVectorsDir(env = process.env) {
  const override = env[SHARED_VECTORS_ENV];
  if (override) return resolve(REPO_ROOT, override);
  const beside = resolve(REPO_ROOT, '..', 'shared', 'vectors');
  if (isDirectory(beside)) return beside;
  const origin = localOrigin(REPO_ROOT);
  const besideOrigin = origin ? resolve(origin, '..', 'shared', 'vectors') : null;
  return besideOrigin && isDirectory(besideOrigin) ? besideOrigin : beside;
}

/** True when `dir` is a folder (a missing or unreadable path means "not available", never an exception). */
export function isDirectory(dir) {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/** The one line a suite prints when the published files are missing. */
export function missingPublishedNotice(dir) {
  return `published PowerAuth vectors not found at ${dir}: replaying regression vectors only`;
}

/**
 * The published files for one suite. `available` is false when the folder is missing; the first call of
 * `report()` then prints the one-line notice (once per suite: each test file has its own module instance).
 */
export function publishedVectors(env = process.env) {
  const dir = sharedVectorsDir(env);
  const available = isDirectory(dir);
  let reported = false;
  return {
    dir,
    available,
    report() {
      if (!available && !reported) console.log(missingPublishedNotice(dir));
      reported = true;
      return available;
    },
    text: (path) => readFileSync(join(dir, path), 'utf8'),
    json: (path) => JSON.parse(readFileSync(join(dir, path), 'utf8')),
  };
}

/** Text of a file in test-vectors/ (`path` relative to it). */
export function readRepoVector(path) {
  return readFileSync(join(REPO_VECTORS_DIR, path), 'utf8');
}

/** The regression twin of a published file, parsed. */
export function readRegressionVector(publishedPath) {
  const twin = PUBLISHED_FILES[publishedPath];
  if (!twin) throw new Error(`${publishedPath} is not a published vector file`);
  return JSON.parse(readRepoVector(twin));
}

/**
 * The rows of v4/data.csv (space-padded cells `Time (sec), UTC Time, Value of T (hex), TOTP, Algorithm, Seed`),
 * in the shape of the `rows` of regression/totp.json.
 */
export function parseTotpCsv(text) {
  return text
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(',').map((cell) => cell.trim()))
    .map(([time, utcTime, t, totp, algorithm, seed]) => ({
      time: Number(time),
      utcTime,
      t,
      totp,
      algorithm,
      seed,
    }));
}

/** Parsed content of a published file; the CSV becomes `{rows}` like its regression twin. */
export function loadPublished(published, path) {
  return path.endsWith('.csv') ? { rows: parseTotpCsv(published.text(path)) } : published.json(path);
}

let suitePublished;

/**
 * The two sources a replay suite runs on: the published file (available only where ../shared/vectors is) and
 * its regression twin (always). The first call in a test file prints the one-line notice when the published
 * folder is missing (vitest gives every test file its own module instance, so that is one line per suite).
 */
export function vectorSources(path) {
  const twin = PUBLISHED_FILES[path];
  if (!twin) throw new Error(`${path} is not a published vector file`);
  suitePublished ??= publishedVectors();
  const published = suitePublished;
  published.report();
  return [
    {
      source: 'published',
      file: path,
      available: published.available,
      load: () => loadPublished(published, path),
    },
    { source: 'regression', file: twin, available: true, load: () => JSON.parse(readRepoVector(twin)) },
  ];
}
