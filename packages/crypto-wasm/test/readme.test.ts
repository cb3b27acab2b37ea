import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('README example', () => {
  const example = readFileSync(join(pkg, 'examples', 'quick-start.mjs'), 'utf8');

  it('is quoted verbatim in the README', () => {
    expect(readFileSync(join(pkg, 'README.md'), 'utf8')).toContain(example.trim());
  });

  it('runs against the built package and prints what its comments say', () => {
    const out = execFileSync(process.execPath, [join(pkg, 'examples', 'quick-start.mjs')], {
      encoding: 'utf8',
    });
    expect(out.trim().split('\n')).toEqual(['81635335-01379301', 'true 0 1', 'true', 'wasm 5335-9301']);
  });
});
