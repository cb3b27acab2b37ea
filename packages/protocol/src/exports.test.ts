// Pins the public surface (every change shows in the committed snapshot) and checks, in a plain Node process,
// that every entry loaded by import() and by require() hands out the same objects (ESM only, shared chunks:
// one copy of each class), and that the error classes sit on the one @offcode/errors base class.
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

it('errors from either entry and either module system are OffcodeBaseErrors of one @offcode/errors copy', () => {
  const code = `
    const { createRequire } = require('node:module');
    const r = createRequire(${JSON.stringify(join(pkgDir, 'package.json'))});
    const { OffcodeBaseError } = r('@offcode/errors');
    const root = r('@offcode/protocol');
    import('@offcode/protocol/pa3').then((pa3) => import('@offcode/protocol').then((esm) => {
      const seen = [];
      try { root.decodeBase64Strict('***', 'nonce'); } catch (e) { seen.push(e); }
      try { pa3.parseEciesRequest('{'); } catch (e) { seen.push(e); }
      const bad = esm.parseOfflinePayload('x'); seen.push(bad.error);
      // The class of each error is the same object whether the root is required or imported.
      const same = (e) => (e.name === 'ProtocolError'
        ? e instanceof esm.ProtocolError && e instanceof root.ProtocolError
        : e instanceof esm.PayloadFormatError && e instanceof root.PayloadFormatError);
      console.log(JSON.stringify(seen.map((e) => [e instanceof OffcodeBaseError, same(e), e.kind, e.code, e.field])));
    }));`;
  const out = execFileSync(process.execPath, ['-e', code], { encoding: 'utf8', cwd: pkgDir }).trim();
  const rows = JSON.parse(out) as [boolean, boolean, string, string, string | null][];
  expect(rows[0]).toEqual([true, true, 'input', 'INVALID_BASE64', 'nonce']);
  expect(rows[1]?.slice(0, 3)).toEqual([true, true, 'input']); // thrown inside ./pa3, class of the root
  expect(rows[2]?.slice(0, 3)).toEqual([true, true, 'input']);
  expect(rows[2]?.[4]).toBeNull();
});
