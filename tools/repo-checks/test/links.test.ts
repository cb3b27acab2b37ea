/** Relative links in docs/**\/*.md and in every README resolve to a file of the repository (and heading). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { brokenLinks } from '../src/links.js';
import { REPO_ROOT, repoTextFiles } from '../src/repo.js';

const markdown = repoTextFiles().filter(
  (f) => f.endsWith('.md') && (f.startsWith('docs/') || f.split('/').pop() === 'README.md'),
);

describe('Markdown links', () => {
  it('covers docs/ and the READMEs', () => {
    for (const f of ['README.md', 'docs/README.md', 'docs/spec/server.md', 'test-vectors/README.md']) {
      expect(markdown).toContain(f);
    }
  });

  it('name the vector folders as they are (test-vectors/ in the repo, ../shared/vectors/ beside it)', () => {
    // `vectors/` or `../vectors/` alone was the layout of the shared folder, not of this repository.
    const stale = markdown.flatMap((f) =>
      readFileSync(join(REPO_ROOT, f), 'utf8')
        .split('\n')
        .flatMap((line, i) =>
          /(?<![\w/.-])(?:\.\.\/)*vectors\//.test(line) ? [`${f}:${i + 1}: ${line.trim()}`] : [],
        ),
    );
    expect(stale, stale.join('\n')).toEqual([]);
  });

  it('resolve inside the repository', () => {
    const cache = new Map<string, Set<string>>();
    const broken = markdown.flatMap((f) =>
      brokenLinks(REPO_ROOT, join(REPO_ROOT, f), cache).map((p) => `${f}:${p.line}: ${p.href}: ${p.why}`),
    );
    expect(broken, broken.join('\n')).toEqual([]);
  });
});
