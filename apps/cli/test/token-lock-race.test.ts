/**
 * Counter safety under racing approvals (issue 10 item 3): a `token approve` is killed with SIGKILL while it
 * holds the state lock; then 8 `offcode token approve` processes on the same state file are released at the
 * same moment and all find that stale lock. It is taken over by exactly one of them (@offcode/lockfile), so
 * every approval uses its own counter value: 8 distinct codes and the counter advanced by exactly 8.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { payloadCase } from '@offcode/test-harness/vectors';
import { afterAll, describe, expect, it } from 'vitest';
import { EXAMPLES, writeExampleState } from './fixtures.js';
import { CLI } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'offcode-token-race-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const RACERS = 8;
/**
 * Time for the racers to load before their input is released (they block reading the QR from stdin). Not a
 * speed assumption: a racer that is slower only arrives at the lock later and must still behave.
 */
const START_UP_MS = 1500;

const approve = (state: string) => ['token', 'approve', '--state', state, '--pin', '1234'];

/** `token approve` with the debug hold, killed once the counter is durable, i.e. while it holds the lock. */
async function killWhileHoldingTheLock(state: string, qr: string): Promise<number> {
  const child = spawn(process.execPath, [CLI, ...approve(state)], {
    env: { ...process.env, OFFCODE_DEBUG_HOLD_AFTER_PERSIST: '1' },
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  child.stdin.end(qr);
  await new Promise<void>((resolve, reject) => {
    let err = '';
    child.stderr.on('data', (c: Buffer) => {
      err += c;
      if (err.includes('persisted, holding')) resolve();
    });
    child.once('exit', () => reject(new Error(`token approve exited before holding the lock: ${err}`)));
  });
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  return child.pid!;
}

interface Racer {
  child: ChildProcess;
  done: Promise<{ status: number | null; stdout: string; stderr: string }>;
}

/** A `token approve` that waits for its QR on stdin: the input is the start signal. */
function racer(state: string): Racer {
  const child = spawn(process.execPath, [CLI, ...approve(state)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => {
    stdout += c;
  });
  child.stderr!.on('data', (c: Buffer) => {
    stderr += c;
  });
  const done = new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('close', (status) => resolve({ status, stdout, stderr })),
  );
  return { child, done };
}

describe.each([3, 4] as const)(
  'V%i: approvals racing for the lock of a killed `token approve`',
  (protocol) => {
    it(`${RACERS} concurrent approvals → ${RACERS} distinct codes, counter advanced by ${RACERS}`, async () => {
      const ex = EXAMPLES[protocol];
      const qr = payloadCase(ex.payloadCase);
      const state = join(dir, `state-v${protocol}.json`);
      writeExampleState(state, protocol);

      const racers = Array.from({ length: RACERS }, () => racer(state));
      const killed = await killWhileHoldingTheLock(state, qr);
      expect(readFileSync(`${state}.lock`, 'utf8'), 'the killed process left its lock').toMatch(
        new RegExp(`^${killed} `),
      );
      expect((JSON.parse(readFileSync(state, 'utf8')) as { counter: number }).counter).toBe(1);
      await new Promise((r) => setTimeout(r, START_UP_MS));
      for (const r of racers) r.child.stdin!.end(qr);
      const runs = await Promise.all(racers.map((r) => r.done));

      for (const r of runs) expect([r.status, r.stderr]).toEqual([0, '']);
      const codes = runs.map((r) => r.stdout.trim());
      expect(new Set(codes).size, codes.join(' ')).toBe(RACERS);
      expect(codes).not.toContain(ex.code); // counter 0 was consumed by the killed run
      if (protocol === 3) expect(codes).toContain(EXAMPLES[3].nextCode); // crypto.md §13: the code at k = 1
      expect((JSON.parse(readFileSync(state, 'utf8')) as { counter: number }).counter).toBe(1 + RACERS);
      expect(existsSync(`${state}.lock`)).toBe(false);
    });
  },
);
