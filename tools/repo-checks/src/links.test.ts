import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { brokenLinks } from './links.js';

const root = mkdtempSync(join(tmpdir(), 'repo-checks-links-'));
mkdirSync(join(root, 'docs', 'spec'), { recursive: true });
writeFileSync(join(root, 'docs', 'spec', 'crypto.md'), '# Crypto\n## 3. V3 authentication code\n');
writeFileSync(
  join(root, 'docs', 'README.md'),
  [
    '# Docs',
    '[spec](spec/crypto.md) [section](spec/crypto.md#3-v3-authentication-code) [self](#docs) [dir](spec/)',
    '[web](https://example.org/x) [mail](mailto:a@b.c)',
    '[gone](spec/server.md) [bad anchor](spec/crypto.md#4-missing)',
    '[outside](../../elsewhere.md) [own bad](#nope)',
    '`[code](not-checked.md)`',
  ].join('\n'),
);

describe('brokenLinks', () => {
  it('accepts existing files, folders and anchors and ignores external links and code', () => {
    const problems = brokenLinks(root, join(root, 'docs', 'README.md'));
    expect(problems).toEqual([
      { line: 4, href: 'spec/server.md', why: 'docs/spec/server.md does not exist' },
      { line: 4, href: 'spec/crypto.md#4-missing', why: 'docs/spec/crypto.md has no heading #4-missing' },
      { line: 5, href: '../../elsewhere.md', why: 'points outside the repository' },
      { line: 5, href: '#nope', why: 'docs/README.md has no heading #nope' },
    ]);
  });
});
