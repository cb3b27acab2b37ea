// Pins the public surface (every change shows in the committed snapshot) and checks, in a plain Node process,
// that every entry loaded by import() and by require() hands out the same objects (ESM only, shared chunks:
// one copy of each class), and that the plugin's errors are OffcodeBaseErrors of the one @offcode/errors copy.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const script = join(pkgDir, '../../scripts/package-surface.mjs');

it('exports of every entry match the snapshot, identical across entries and module systems', async () => {
  const out = JSON.parse(execFileSync(process.execPath, [script, pkgDir], { encoding: 'utf8' }));
  await expect(`${JSON.stringify(out.entries, null, 2)}\n`).toMatchFileSnapshot('./exports.snapshot.json');
  expect(out.mismatches).toEqual([]);
  expect(out.compared).toBeGreaterThan(0);
  const all = Object.values(out.entries as Record<string, string[]>).flat();
  expect(new Set(all).size, 'each name has one home').toBe(all.length);
});

it('errors of the plugin, loaded either way, are one class and OffcodeBaseErrors', () => {
  const code = `
    const { createRequire } = require('node:module');
    const r = createRequire(${JSON.stringify(join(pkgDir, 'package.json'))});
    const { OffcodeBaseError } = r('@offcode/errors');
    const root = r('@offcode/fastify');
    import('@offcode/fastify').then((esm) => {
      const e = new esm.OffcodeHttpError('OFF-0001');
      console.log(JSON.stringify([e instanceof OffcodeBaseError, e instanceof root.OffcodeHttpError,
        e.kind, e.code, root.httpStatusOf(e)]));
    });`;
  const out = execFileSync(process.execPath, ['-e', code], { encoding: 'utf8', cwd: pkgDir }).trim();
  expect(JSON.parse(out)).toEqual([true, true, 'rejected', 'OFF-0001', 401]);
});
