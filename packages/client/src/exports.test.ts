// Pins the public surface (every change shows in the committed snapshot) and checks, in a plain Node process,
// that every entry loaded by import() and by require() hands out the same objects (ESM only, shared chunks:
// one copy of each class), and that errors thrown inside any entry are of the root's error class, itself an
// OffcodeBaseError of the one @offcode/errors copy.
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

it('errors thrown in ./node and ./internal, loaded either way, are the root class and OffcodeBaseErrors', () => {
  const code = `
    const { createRequire } = require('node:module');
    const r = createRequire(${JSON.stringify(join(pkgDir, 'package.json'))});
    const { OffcodeBaseError } = r('@offcode/errors');
    const root = r('@offcode/client');
    const node = r('@offcode/client/node');
    import('@offcode/client/internal').then((internal) => import('@offcode/client').then((esm) => {
      const seen = [];
      try { new node.FileTokenStore(''); } catch (e) { seen.push(e); }
      try { internal.parseState('{'); } catch (e) { seen.push(e); }
      try { new esm.OffcodeToken({}); } catch (e) { seen.push(e); }
      console.log(JSON.stringify(seen.map((e) => [
        e instanceof OffcodeBaseError, e instanceof root.OffcodeClientError && e instanceof esm.OffcodeClientError,
        e.kind, e.code,
      ])));
    }));`;
  const out = execFileSync(process.execPath, ['-e', code], { encoding: 'utf8', cwd: pkgDir }).trim();
  expect(JSON.parse(out)).toEqual([
    [true, true, 'input', 'INVALID_INPUT'],
    [true, true, 'unavailable', 'STORAGE_FAILURE'],
    [true, true, 'input', 'INVALID_INPUT'],
  ]);
});
