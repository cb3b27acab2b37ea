import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

describe('README example', () => {
  it('shows examples/mount.mjs verbatim', () => {
    const block = /```js\n([\s\S]*?)```/.exec(read('README.md'))?.[1];
    expect(block).toBe(read('examples/mount.mjs'));
  });

  it('runs against the built package: the bank route, a created application, 401 and 404 in the envelope', async () => {
    expect(existsSync(new URL('dist/index.js', root)), 'build the package first').toBe(true);
    const { stdout } = await promisify(execFile)(process.execPath, ['examples/mount.mjs'], {
      cwd: new URL('.', root),
      timeout: 120_000,
    });
    expect(stdout.trim()).toBe('200 my-bank 401 OFF-0001 404 ERROR_NOT_FOUND from the bank');
  });
});
