import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCitations } from './citations.js';
import { indexSpec, unresolved } from './spec.js';

const dir = mkdtempSync(join(tmpdir(), 'repo-checks-spec-'));
writeFileSync(
  join(dir, 'crypto.md'),
  [
    '# Crypto',
    '## 2. V3 key derivation (PowerAuth crypto docs)',
    '### 2.3 Hash-based counter',
    '## 6. Security requirements',
    '1. one',
    '2. two',
    '## 11. Known traps',
    '1. a',
    '2. b',
    '```',
    '## 12. Not a heading (fenced)',
    '```',
  ].join('\n'),
);
const spec = indexSpec(dir);
const why = (text: string) => parseCitations(text).map((c) => unresolved(spec, c));

describe('unresolved', () => {
  it('resolves sections, list items under a section, titles, traps and paths', () => {
    expect(
      why('crypto.md §2, §2.3, §6.2; crypto.md "V3 key derivation", crypto.md "hash-based counter"'),
    ).toEqual([null, null, null, null, null]);
    expect(why('crypto.md trap 2 and docs/spec/crypto.md')).toEqual([null, null]);
  });

  it('names what is missing', () => {
    expect(why('crypto.md §2.4')).toEqual(['crypto.md has no section 2.4']);
    expect(why('crypto.md §12')).toEqual(['crypto.md has no section 12']);
    expect(why('crypto.md §6.3')).toEqual(['crypto.md has no section 6.3']);
    expect(why('crypto.md "V5 key derivation"')).toEqual(['crypto.md has no heading "V5 key derivation"']);
    expect(why('crypto.md trap 3')).toEqual(['crypto.md "Known traps" has no item 3']);
    expect(why('token.md §1')).toEqual(['token.md is not in docs/spec/']);
    expect(why('see spec/token.md')).toEqual(['token.md is not in docs/spec/']);
  });
});
