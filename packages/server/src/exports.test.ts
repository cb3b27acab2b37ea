// Pins the public surface of the root and of ./internal (every change shows in the committed snapshot) and
// checks, in a plain Node process, that both entries loaded by import() and by require() hand out the same
// objects (ESM only, shared chunks), and that errors thrown behind ./internal are the root's classes on the one
// @offcode/errors base class.
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
  const all = Object.values(out.entries as Record<string, string[]>).flat();
  expect(new Set(all).size, 'each name has one home').toBe(all.length);
});

it('errors from either entry and either module system are OffcodeBaseErrors of one class each', () => {
  const code = `
    const { createRequire } = require('node:module');
    const r = createRequire(${JSON.stringify(join(pkgDir, 'package.json'))});
    const { OffcodeBaseError } = r('@offcode/errors');
    const root = r('@offcode/server');
    import('@offcode/server/internal').then(async (internal) => {
      const esm = await import('@offcode/server');
      const seen = [];
      await internal.migrateSets(null, [{ namespace: 'Bad!', migrations: [] }]).catch((e) => seen.push(e));
      try { root.defineTableSet({ namespace: 'server', tables: [], migrations: [] }); } catch (e) { seen.push(e); }
      try { esm.loadConfigOrThrow({ OFFCODE_LOOKAHEAD: 'x' }); } catch (e) { seen.push(e); }
      const same = (e) => e instanceof esm[e.name] && e instanceof root[e.name];
      console.log(JSON.stringify(seen.map((e) => [e.name, e instanceof OffcodeBaseError, same(e), e.kind])));
    });`;
  const out = execFileSync(process.execPath, ['-e', code], { encoding: 'utf8', cwd: pkgDir }).trim();
  const rows = JSON.parse(out) as [string, boolean, boolean, string][];
  expect(rows).toEqual([
    ['MigrationError', true, true, 'internal'],
    ['TableScopeError', true, true, 'internal'],
    ['ConfigError', true, true, expect.any(String)],
  ]);
});
