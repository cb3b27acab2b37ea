/**
 * Real processes racing for one lock after its holder was killed with SIGKILL: never two holders at once,
 * exactly one process removes the stale lock, and no reader ever sees an empty or half-written lock file.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { killHard, node } from './processes.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'offcode-lockfile-race-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Every holder's "enter" is followed by its own "exit" before anybody else enters. */
function expectStrictlyAlternating(lines: string[]): void {
  for (let i = 0; i < lines.length; i += 2) {
    const enter = /^enter (\d+)$/.exec(lines[i]!);
    expect(enter, `line ${i}: ${lines[i]}`).not.toBeNull();
    expect(lines[i + 1], `line ${i + 1} closes line ${i}`).toBe(`exit ${enter![1]}`);
  }
}

describe('stale lock of a killed holder, 12 racing processes', () => {
  it('never has two holders; exactly one process takes the stale lock over', async () => {
    const lock = join(dir, 'state.lock');
    const log = join(dir, 'holders.log');
    const takeovers = join(dir, 'takeovers.log');
    const go = join(dir, 'go');
    const holder = node('hold.mjs', [lock]);
    await holder.line(/^held /);
    await killHard(holder);
    expect(readFileSync(lock, 'utf8')).toMatch(new RegExp(`^${holder.pid} `));

    const racers = Array.from({ length: 12 }, () => node('racer.mjs', [lock, log, takeovers, go, '3']));
    await Promise.all(racers.map((r) => r.line(/^ready$/)));
    writeFileSync(go, '');
    const codes = await Promise.all(racers.map((r) => r.exit));
    expect(codes, racers.map((r) => r.stderr()).join('')).toEqual(racers.map(() => 0));

    const lines = readFileSync(log, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(12 * 3 * 2);
    expectStrictlyAlternating(lines);
    const taken = readFileSync(takeovers, 'utf8').trim().split('\n');
    expect(taken).toHaveLength(1);
    expect(taken[0]).toMatch(new RegExp(`^takeover \\d+ ${holder.pid}$`));
    expect(existsSync(lock)).toBe(false);
  });
});

describe('the lock file is never seen without its content', () => {
  it('a reader polling the lock while 3 processes take and release it sees only complete lines', async () => {
    const lock = join(dir, 'churn.lock');
    const stop = join(dir, 'stop');
    const reader = node('reader.mjs', [lock, stop]);
    await reader.line(/^ready$/);
    const writers = Array.from({ length: 3 }, () => node('churn.mjs', [lock, '300']));
    const codes = await Promise.all(writers.map((w) => w.exit));
    expect(codes, writers.map((w) => w.stderr()).join('')).toEqual([0, 0, 0]);
    writeFileSync(stop, '');
    const result = JSON.parse(await reader.line(/^\{/)) as {
      complete: number;
      bad: number;
      samples: string[];
    };
    expect(result.complete).toBeGreaterThan(0);
    expect(result).toMatchObject({ bad: 0 });
  });
});
