import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_DIR } from './processes.js';

describe('README example', () => {
  const example = readFileSync(join(PACKAGE_DIR, 'examples', 'quick-start.mjs'), 'utf8');

  it('is quoted verbatim in the README', () => {
    expect(readFileSync(join(PACKAGE_DIR, 'README.md'), 'utf8')).toContain(`\`\`\`js\n${example}\`\`\``);
  });

  it('runs against the built package and prints what its comments say', () => {
    const out = execFileSync(process.execPath, [join(PACKAGE_DIR, 'examples', 'quick-start.mjs')], {
      encoding: 'utf8',
    });
    expect(out.trim().split('\n')).toEqual(['42', 'LOCKED true']);
  });
});
