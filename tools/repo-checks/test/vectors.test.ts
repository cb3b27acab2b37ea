/**
 * test-vectors/ (issue 11): no file published by the PowerAuth project anywhere in the repository; the project's
 * own files match ../shared/vectors where both hold them; the regression files are exactly what
 * scripts/gen-regression-vectors.mjs records, and the generator refuses to record when a published case fails.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  missingPublishedNotice,
  PUBLISHED_FILES,
  publishedVectors,
  REPO_VECTORS_DIR,
} from '../../../scripts/vector-paths.mjs';
import { REPO_ROOT } from '../src/repo.js';

const GENERATOR = join(REPO_ROOT, 'scripts', 'gen-regression-vectors.mjs');
const published = publishedVectors();
const PUBLISHED_NAMES = new Set(Object.keys(PUBLISHED_FILES).map((f) => f.split('/').pop()));
/** Files made for this project that ../shared/vectors holds too. */
const PROJECT_FILES = ['payload-cases.json', 'v4/auth-code-v4.json', 'v4/kmac-kdf-kat.json'];

/** Every file under `dir` (relative, `/`-separated), skipping installed packages and git's own store. */
function filesUnder(dir: string, skip = new Set(['node_modules', '.git'])): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.isDirectory())
      return skip.has(e.name) ? [] : filesUnder(join(dir, e.name), skip).map((f) => `${e.name}/${f}`);
    return [e.name];
  });
}

function runGenerator(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [GENERATOR, ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 120_000,
  });
}

describe('test-vectors/ content', () => {
  it('holds no published PowerAuth file, and neither does any other folder of the repository', () => {
    const offending = filesUnder(REPO_ROOT).filter((f) => PUBLISHED_NAMES.has(f.split('/').pop()));
    expect(offending).toEqual([]);
  });

  it('holds the project-made files and one regression twin per published file', () => {
    const files = filesUnder(REPO_VECTORS_DIR);
    expect(files).toEqual(expect.arrayContaining([...PROJECT_FILES, ...Object.values(PUBLISHED_FILES)]));
    expect(files.filter((f) => f.startsWith('regression/')).sort()).toEqual(
      Object.values(PUBLISHED_FILES).sort(),
    );
  });

  it('has a README of its own that says where the published files are and how to regenerate', () => {
    const readme = readFileSync(join(REPO_VECTORS_DIR, 'README.md'), 'utf8');
    for (const needle of [
      '../shared/vectors/',
      'OFFCODE_SHARED_VECTORS',
      'node scripts/gen-regression-vectors.mjs',
    ]) {
      expect(readme).toContain(needle);
    }
    for (const name of PUBLISHED_NAMES) expect(readme).toContain(name);
    if (published.available) {
      expect(readme).not.toBe(readFileSync(join(published.dir, 'README.md'), 'utf8'));
    }
  });

  it.skipIf(!published.report())(
    'is byte-identical to ../shared/vectors for every project file both hold',
    () => {
      const shared = new Set(filesUnder(published.dir));
      const both = filesUnder(REPO_VECTORS_DIR).filter((f) => shared.has(f) && f !== 'README.md');
      expect(both).toEqual(expect.arrayContaining(PROJECT_FILES));
      for (const f of both) {
        expect(readFileSync(join(REPO_VECTORS_DIR, f)).equals(readFileSync(join(published.dir, f))), f).toBe(
          true,
        );
      }
    },
  );
});

describe.skipIf(!published.available)('scripts/gen-regression-vectors.mjs', () => {
  it('records exactly the committed regression files (seeded, reproducible)', () => {
    const out = mkdtempSync(join(tmpdir(), 'offcode-regression-'));
    const run = runGenerator(['--out', out]);
    expect(run.status, run.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(readdirSync(join(REPO_VECTORS_DIR, 'regression')).sort());
    for (const name of readdirSync(out)) {
      const committed = readFileSync(join(REPO_VECTORS_DIR, 'regression', name));
      expect(
        readFileSync(join(out, name)).equals(committed),
        `regression/${name} differs from the generator`,
      ).toBe(true);
    }
  });

  it('writes nothing when one published case fails (exit 1, the file named)', () => {
    const copy = mkdtempSync(join(tmpdir(), 'offcode-shared-'));
    cpSync(published.dir, copy, { recursive: true });
    const file = join(copy, 'v4', 'Hash_Based_Counter_Test_Vectors.json');
    chmodSync(file, 0o644); // CI's shared folder is read-only, and so is a copy of it
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    doc.hash_based_counter_test_vectors[3]['ctrData[7]'] = Buffer.alloc(32).toString('base64');
    writeFileSync(file, JSON.stringify(doc));
    const out = join(mkdtempSync(join(tmpdir(), 'offcode-regression-')), 'out');
    const run = runGenerator(['--out', out], { OFFCODE_SHARED_VECTORS: copy });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('v4/Hash_Based_Counter_Test_Vectors.json: 1 case(s) fail');
    expect(run.stderr).toContain('nothing written');
    expect(existsSync(out)).toBe(false);
  });

  it('refuses without the published files or with bad arguments (exit 2, one line)', () => {
    const missing = join(tmpdir(), 'offcode-no-such-folder');
    const run = runGenerator(['--out', join(tmpdir(), 'unused')], { OFFCODE_SHARED_VECTORS: missing });
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain(`published PowerAuth vectors not found at ${missing}`);
    const bad = runGenerator(['--bogus']);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim()).toBe('usage: node scripts/gen-regression-vectors.mjs [--out <dir>]');
  });
});

describe('a replay suite on a clone without ../shared/vectors', () => {
  it('prints one line, skips the published cases and passes on the regression twins', () => {
    const protocolDir = join(REPO_ROOT, 'packages', 'protocol');
    const vitest = join(
      createRequire(join(protocolDir, 'package.json')).resolve('vitest/package.json'),
      '..',
    );
    const report = join(mkdtempSync(join(tmpdir(), 'offcode-report-')), 'report.json');
    const missing = join(tmpdir(), 'offcode-no-such-folder');
    // A real vitest process (its own report file, so the package's summary report is not touched).
    const stdout = execFileSync(
      process.execPath,
      [
        join(vitest, 'vitest.mjs'),
        'run',
        'src/totp.test.ts',
        '--reporter=default',
        '--reporter=json',
        `--outputFile.json=${report}`,
      ],
      {
        cwd: protocolDir,
        encoding: 'utf8',
        env: { ...process.env, OFFCODE_SHARED_VECTORS: missing, CI: 'true' },
      },
    );
    const notices = stripVTControlCharacters(stdout)
      .split('\n')
      .filter((l) => l.includes('published PowerAuth vectors not found'));
    expect(notices.map((l) => l.trim())).toEqual([missingPublishedNotice(missing)]);
    const r = JSON.parse(readFileSync(report, 'utf8'));
    expect(r.numFailedTests).toBe(0);
    const results: { title: string; status: string }[] = r.testResults.flatMap(
      (f: { assertionResults: unknown[] }) => f.assertionResults,
    );
    const statusOf = (word: string) => results.filter((t) => t.title.includes(word)).map((t) => t.status);
    // One published and one regression replay per engine (wasm, noble).
    expect(statusOf('of published')).toEqual(['skipped', 'skipped']);
    expect(statusOf('of regression')).toEqual(['passed', 'passed']);
  });
});
