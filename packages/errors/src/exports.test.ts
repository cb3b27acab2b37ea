// Pins the public surface (every change shows in the committed snapshot) and checks that every entry,
// loaded by import() and by require(), hands out the same objects (ESM only: one module instance).
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
});
