// Pins the public surface (every change shows in the committed snapshot) and checks, in a plain Node process,
// that every entry loaded by import() and by require() hands out the same objects: classes, functions and
// the process-wide wasm and noble engines (ESM only, shared chunks: one module instance).
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const script = join(pkgDir, '../../scripts/package-surface.mjs');

it('exports of every entry match the snapshot, identical across entries and module systems', async () => {
  const out = JSON.parse(
    execFileSync(process.execPath, [script, pkgDir, 'getWasmCrypto,getNobleCrypto,getOffcodeCrypto'], {
      encoding: 'utf8',
    }),
  );
  await expect(`${JSON.stringify(out.entries, null, 2)}\n`).toMatchFileSnapshot('./exports.snapshot.json');
  expect(out.mismatches).toEqual([]);
  expect(out.compared).toBeGreaterThan(10);
});

it('an error of the crypto core is an OffcodeBaseError of the one @offcode/errors instance', () => {
  const code = `
    const { createRequire } = require('node:module');
    const r = createRequire(${JSON.stringify(join(pkgDir, 'package.json'))});
    const { OffcodeBaseError } = r('@offcode/errors');
    import(${JSON.stringify(join(pkgDir, 'dist/index.js'))}).then((m) => {
      try { m.getNobleCrypto().nextCounter(5, new Uint8Array(16)); } catch (e) {
        console.log(e instanceof OffcodeBaseError, e instanceof r('@offcode/crypto-wasm').OffcodeCryptoError, e.kind, e.code, e.field);
      }
    });`;
  const out = execFileSync(process.execPath, ['-e', code], { encoding: 'utf8' }).trim();
  expect(out).toBe('true true input INVALID_INPUT protocol');
});
