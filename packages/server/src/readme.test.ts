import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

describe('README quick start', () => {
  it('shows examples/quickstart.mjs verbatim', () => {
    const block = /```js\n([\s\S]*?)```/.exec(read('README.md'))?.[1];
    expect(block).toBe(read('examples/quickstart.mjs'));
  });

  it('runs against the built package and prints a valid verification', async () => {
    expect(existsSync(new URL('dist/index.js', root)), 'build the package first').toBe(true);
    const { stdout } = await promisify(execFile)(process.execPath, ['examples/quickstart.mjs'], {
      cwd: new URL('.', root),
      timeout: 120_000,
    });
    expect(stdout.trim()).toBe('true ACTIVE 5');
  });
});
