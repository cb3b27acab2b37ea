// Quick mode (CI) shrinks the timing groups and the in-process rows; the full run must not change: these
// pin the full sets and check that the quick subset still holds what the sanity check reads.
import { describe, expect, it } from 'vitest';
import { engineGroups } from './engine.mjs';
import { primitiveGroups } from './primitives.mjs';
import { serverBenchOptions } from './server.mjs';

const names = (groups: { name: string }[]) => groups.map((g) => g.name);
const backends = (groups: { name: string; tasks: Record<string, unknown> }[]) =>
  Object.fromEntries(groups.map((g) => [g.name, Object.keys(g.tasks).sort()]));

describe('timing groups', () => {
  it('full mode: every primitive at 16, 100 and 1000 B, every engine row for V3 and V4', () => {
    const primitives = primitiveGroups();
    expect(names(primitives)).toEqual(
      [16, 100, 1000].flatMap((n) => [`HMAC-SHA256 ${n} B`, `SHA3-256 ${n} B`, `KMAC256 ${n} B`]),
    );
    expect(names(engineGroups())).toEqual(
      [3, 4].flatMap((v) => [
        `V${v} compute one code (2 factors, 100 B)`,
        `V${v} failed window search (20 x 2)`,
        ...[0, 10, 19].map((k) => `V${v} search, hit at position ${k}`),
      ]),
    );
    expect(primitiveGroups({ quick: false }).length).toBe(9);
    expect(engineGroups({ quick: false }).length).toBe(10);
  });

  it('quick mode: a subset with every task of its groups, every KMAC256 row (the sanity ratios)', () => {
    for (const [full, quick] of [
      [primitiveGroups(), primitiveGroups({ quick: true })],
      [engineGroups(), engineGroups({ quick: true })],
    ]) {
      expect(quick.length).toBeGreaterThan(0);
      expect(quick.length).toBeLessThan(full.length);
      const fullBackends = backends(full);
      for (const [name, list] of Object.entries(backends(quick))) expect(list).toEqual(fullBackends[name]);
    }
    const kmac = (groups: { name: string }[]) => names(groups).filter((n) => n.startsWith('KMAC256'));
    expect(kmac(primitiveGroups({ quick: true }))).toEqual(kmac(primitiveGroups()));
    for (const g of primitiveGroups({ quick: true }).filter((x) => x.name.startsWith('KMAC256')))
      expect(Object.keys(g.tasks)).toEqual(['wasm', 'noble']);
    // both protocols stay in the engine rows
    expect(names(engineGroups({ quick: true })).map((n) => n.slice(0, 2))).toEqual(['V3', 'V4']);
  });

  it('in-process rows: 200 verifications per row in full mode, fewer but several in quick mode', () => {
    expect(serverBenchOptions(false)).toEqual({ verifications: 200 });
    expect(serverBenchOptions(true).verifications).toBeGreaterThanOrEqual(8);
    expect(serverBenchOptions(true).verifications).toBeLessThan(200);
  });
});
