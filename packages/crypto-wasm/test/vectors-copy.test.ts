import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PUBLISHED_FILES, publishedVectors } from '../../../scripts/vector-paths.mjs';
import { listFiles, REPO_VECTORS_DIR } from './helpers.js';

// test-vectors/ holds only files made for this project; the files published by the PowerAuth project are read
// from ../shared/vectors (issue 11). Where both folders hold a project-made file, the two must not drift.
const published = publishedVectors();
const PROJECT_FILES = ['payload-cases.json', 'v4/auth-code-v4.json', 'v4/kmac-kdf-kat.json'];

describe('test-vectors/', () => {
  it('holds the project-made files and a regression twin of every published file', () => {
    const files = listFiles(REPO_VECTORS_DIR);
    expect(files).toEqual(expect.arrayContaining([...PROJECT_FILES, ...Object.values(PUBLISHED_FILES)]));
  });

  it('holds no published PowerAuth file', () => {
    const names = Object.keys(PUBLISHED_FILES).map((f) => f.split('/').pop());
    const offending = listFiles(REPO_VECTORS_DIR).filter((f) => names.includes(f.split('/').pop()));
    expect(offending).toEqual([]);
  });

  it('has a README of its own (not a copy of the shared one)', () => {
    const readme = readFileSync(join(REPO_VECTORS_DIR, 'README.md'), 'utf8');
    expect(readme).toContain('scripts/gen-regression-vectors.mjs');
    expect(readme).toContain('OFFCODE_SHARED_VECTORS');
  });

  it.skipIf(!published.report())('is byte-identical to ../shared/vectors for every file both hold', () => {
    const shared = new Set(listFiles(published.dir));
    const both = listFiles(REPO_VECTORS_DIR).filter((f) => shared.has(f) && f !== 'README.md');
    expect(both).toEqual(expect.arrayContaining(PROJECT_FILES));
    for (const f of both) {
      expect(readFileSync(join(REPO_VECTORS_DIR, f)).equals(readFileSync(join(published.dir, f))), f).toBe(
        true,
      );
    }
  });
});
