/** The PA 3.3 example of the README runs against the built package and prints what its last comment says. */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const pkg = new URL('../../', import.meta.url);

function pa3Example(): string {
  const readme = readFileSync(new URL('README.md', pkg), 'utf8');
  const section = readme.slice(readme.indexOf('## PowerAuth 3.3 enrollment primitives'));
  const block = /```js\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('README has no js block in the PA 3.3 section');
  return block;
}

describe('README PA 3.3 example', () => {
  it('runs against the built package (self-reference) and prints the three results', async () => {
    expect(existsSync(new URL('dist/index.js', pkg)), 'build the package first').toBe(true);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--input-type=module', '-e', pa3Example()],
      {
        cwd: new URL('.', pkg),
        timeout: 60_000,
      },
    );
    expect(stdout.trim().split('\n')).toEqual([
      'application true',
      '{"hello":"server"}',
      '{"hello":"device"}',
    ]);
    expect(pa3Example()).toContain('// prints: application true / {"hello":"server"} / {"hello":"device"}');
  });
});
