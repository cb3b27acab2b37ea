// The "where the time goes" tables: shares of the request per phase, the HTTP residual (request time minus
// verify time), the profile tables, and one line instead of a table when a side was not measured.
import { describe, expect, it } from 'vitest';
import { httpPhaseTable, inProcessPhaseTable, profileTables } from './phases-report.mjs';

const phases = { parse: 0.1, lock: 0.4, keys: 0.2, search: 0.1, writes: 0.15, commit: 0.05, total: 1 };

describe('phase tables', () => {
  it('in-process: one row per server row with timers, shares of its total', () => {
    const t = inProcessPhaseTable([
      { name: 'postgresql V3 hit at position 0 (registry enforce)', phases },
      { name: 'postgresql V3 parallel', phases: undefined },
    ]);
    const lines = t.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toContain('| 0.400 (40 %) |');
    expect(lines[2]).toMatch(/\| 1\.000 \|$/);
  });

  it('HTTP: the residual is the request time minus the verify time', () => {
    const row = {
      group: 'http-profile',
      setup: 'PostgreSQL, 1 API process, 64 connections',
      rps: 900,
      timers: { phases, http_ms: 4, requests: 100, verifies: 100 },
    };
    const t = httpPhaseTable([row]);
    expect(t).toContain('| 3.000 (75 %) | 4.000 |');
    expect(t).toContain('0.400 (10 %)');
  });

  it('profile: phases and the top modules', () => {
    const profile = {
      totalMs: 1000,
      idleMs: 400,
      byPhase: [{ name: 'search', ms: 300, pct: 50 }],
      byModule: Array.from({ length: 20 }, (_, i) => ({ name: `m${i}`, ms: 30, pct: 5 })),
    };
    const t = profileTables([{ group: 'http-profile', profile }], 3);
    expect(t).toContain('600 ms busy (60 %)');
    expect(t).toContain('| search | 300 | 50 % |');
    expect(t).toContain('| m2 |');
    expect(t).not.toContain('| m3 |');
  });

  it('a side not measured is one line', () => {
    expect(inProcessPhaseTable([])).toMatch(/^No in-process phase timers/);
    expect(httpPhaseTable([])).toMatch(/^No HTTP phase timers/);
    expect(profileTables([])).toMatch(/^No CPU profile/);
  });
});
