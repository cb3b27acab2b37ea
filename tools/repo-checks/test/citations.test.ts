/**
 * Every citation of the specification in the repository resolves: the cited file is in docs/spec/ and the cited
 * section has a heading there (or is item M of the numbered list under heading N, for `N.M`), a cited heading
 * title exists, a cited trap is an item of "Known traps". Forms found by grepping every tracked file (parsed by
 * src/citations.ts, each one a case of src/citations.test.ts):
 *
 *   server.md §2.2 · crypto.md 4.1 · payload.md section 8 · client.md §5 · (crypto.md 1.3, 2.1) · activation.md 6
 *   crypto.md sections 12-14 · sections 13 and 14 · §2.2–§2.4 · §3.1–3.4 · §6.9-10 · 13/14 · §1.3/§1.4
 *   `server.md` §5 · [`crypto.md`](../docs/spec/crypto.md) (section 10) · a list or file name over a line break
 *   crypto.md "V4 key derivation" (heading title) · crypto.md trap 4 (Known traps item) · spec/payload.md (path)
 *   inside docs/spec/*.md: bare §4.1 / section 12 = the same file
 *
 * Bare `§N` outside docs/spec/ (a README table under a heading that names the file) cannot be attributed and is
 * not checked.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Citation, parseCitations } from '../src/citations.js';
import { REPO_ROOT, repoTextFiles, SPEC_DIR } from '../src/repo.js';
import { indexSpec, unresolved } from '../src/spec.js';

const spec = indexSpec(SPEC_DIR);
// The checker's own unit tests cite missing files and sections on purpose.
const FIXTURES = /^tools\/repo-checks\/src\/.*\.test\.ts$/;
const files = repoTextFiles().filter((f) => !FIXTURES.test(f));
const cited: { path: string; citation: Citation }[] = files.flatMap((path) => {
  const ownFile = path.startsWith('docs/spec/') ? basename(path) : undefined;
  return parseCitations(readFileSync(join(REPO_ROOT, path), 'utf8'), { ownFile }).map((citation) => ({
    path,
    citation,
  }));
});

describe('spec citations', () => {
  it('scans the source, tests, scripts, READMEs and the spec itself', () => {
    for (const f of ['README.md', 'scripts/test.sh', 'docs/spec/crypto.md', 'packages/server/src/index.ts']) {
      expect(files).toContain(f);
    }
    expect(files.some((f) => f.includes('node_modules/') || f.includes('/dist/'))).toBe(false);
  });

  it('finds the citations the repository has (so a broken parser cannot pass by matching nothing)', () => {
    expect(cited.length).toBeGreaterThanOrEqual(150);
    const citedFiles = new Set(cited.map((c) => c.citation.file));
    for (const f of spec.keys()) expect(citedFiles, f).toContain(f);
    const kinds = new Set(cited.map((c) => c.citation.kind));
    expect([...kinds].sort()).toEqual(['file', 'section', 'title', 'trap']);
  });

  it('all resolve to a file and a heading of docs/spec/', () => {
    const broken = cited.flatMap(({ path, citation }) => {
      const why = unresolved(spec, citation);
      return why ? [`${path}:${citation.line}: ${why}`] : [];
    });
    expect(broken, broken.join('\n')).toEqual([]);
  });
});
