import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { payloadCase } from '@offcode/test-harness/vectors';
import { afterAll, describe, expect, it } from 'vitest';
import { EXAMPLES, writeExampleState } from './fixtures.js';
import { CLI, cli, expectFailure, expectOk } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'offcode-token-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function stateFile(protocol: 3 | 4): string {
  const path = join(dir, `state-${n++}.json`);
  writeExampleState(path, protocol);
  return path;
}
const readState = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

describe.each([3, 4] as const)(
  'offcode token approve on a hand-built V%i state (crypto.md worked example)',
  (protocol) => {
    const ex = EXAMPLES[protocol];
    const qr = payloadCase(ex.payloadCase);

    it('PIN 1234 prints the code and stores next(ctrData)', async () => {
      const state = stateFile(protocol);
      const r = await cli(['token', 'approve', '--state', state, '--pin', '1234'], { input: `${qr}\n` });
      expectOk(r);
      expect(r.stdout).toBe(`${ex.code}\n`);
      const s = readState(state);
      expect(s.ctrData).toBe(ex.next);
      expect(s.counter).toBe(1);
    });

    it('PIN 1235 prints the wrong-PIN code, no local error, and consumes the counter value', async () => {
      const state = stateFile(protocol);
      const r = await cli(['token', 'approve', '--state', state, '--pin', '1235'], { input: qr });
      expectOk(r);
      expect(r.stdout).toBe(`${ex.wrongPinCode}\n`);
      expect(readState(state).ctrData).toBe(ex.next);
    });

    it('--biometry prints the possession_biometry code', async () => {
      const state = stateFile(protocol);
      const r = await cli(['token', 'approve', '--state', state, '--biometry'], { input: qr });
      expectOk(r);
      expect(r.stdout).toBe(`${ex.biometryCode}\n`);
    });

    it('--qr FILE wins over stdin; --length overrides the component length', async () => {
      const state = stateFile(protocol);
      const file = join(dir, `qr-${protocol}.txt`);
      writeFileSync(file, `${qr}\n`);
      const r = await cli(
        ['token', 'approve', '--state', state, '--pin', '1234', '--qr', file, '--length', '4'],
        {
          input: 'garbage',
        },
      );
      expectOk(r);
      expect(r.stdout).toBe(`${ex.code.slice(4, 8)}-${ex.code.slice(13)}\n`);
    });

    it('status prints the TokenStatus JSON without secrets', async () => {
      const state = stateFile(protocol);
      const r = await cli(['token', 'status', '--state', state]);
      expectOk(r);
      const st = JSON.parse(r.stdout);
      expect(Object.keys(st)).toEqual([
        'activationId',
        'protocol',
        'activationStatus',
        'blockedReason',
        'statusCheckedAt',
        'applicationId',
        'serverUrl',
        'componentLength',
        'counter',
        'biometry',
        'mechanism',
        'createdAt',
        'updatedAt',
      ]);
      expect(st.mechanism).toBe('plain');
      expect(st.protocol).toBe(protocol);
      expect(st.biometry).toBe(true);
      expect(r.stdout).not.toContain(ex.ctr);
    });
  },
);

describe('offcode token approve: failures', () => {
  const v3qr = payloadCase(EXAMPLES[3].payloadCase);

  it('tampered payload → exit 1 SIGNATURE_INVALID, state untouched', async () => {
    const state = stateFile(3);
    const before = readFileSync(state, 'utf8');
    expectFailure(
      await cli(['token', 'approve', '--state', state, '--pin', '1234'], {
        input: payloadCase('offcode:v3-master-p256-tampered'),
      }),
      1,
      'SIGNATURE_INVALID',
    );
    expect(readFileSync(state, 'utf8')).toBe(before);
  });

  it('payload for another activation → exit 1 (WRONG_ACTIVATION / SIGNATURE_INVALID)', async () => {
    expectFailure(
      await cli(['token', 'approve', '--state', stateFile(3), '--pin', '1234'], {
        input: payloadCase(EXAMPLES[4].payloadCase),
      }),
      1,
      'WRONG_ACTIVATION',
    );
    expectFailure(
      await cli(['token', 'approve', '--state', stateFile(4), '--pin', '1234'], { input: v3qr }),
      1,
      'WRONG_ACTIVATION',
    );
    expectFailure(
      await cli(['token', 'approve', '--state', stateFile(3), '--pin', '1234'], {
        input: payloadCase('offcode:v3-personalized-p256'),
      }),
      1,
      'SIGNATURE_INVALID',
    );
  });

  it('invalid payload → exit 2 INVALID_QR with the reason', async () => {
    expectFailure(
      await cli(['token', 'approve', '--state', stateFile(3), '--pin', '1234'], { input: `${v3qr}\n\n` }),
      2,
      'INVALID_QR',
      'MISSING_SIGNATURE',
    );
  });

  it('biometry not allowed by the payload → exit 1 BIOMETRY_NOT_ALLOWED', async () => {
    // The §13 payload re-signed without flag B is not available; use a state without a biometry key instead.
    const state = stateFile(3);
    const s = readState(state);
    s.biometryKey = null;
    writeFileSync(state, JSON.stringify(s));
    expectFailure(
      await cli(['token', 'approve', '--state', state, '--biometry'], { input: v3qr }),
      1,
      'BIOMETRY_UNAVAILABLE',
    );
  });

  it('argument errors → exit 2', async () => {
    const state = stateFile(3);
    expectFailure(await cli(['token', 'approve', '--state', state], { input: v3qr }), 2, 'INVALID_INPUT');
    expectFailure(
      await cli(['token', 'approve', '--state', state, '--pin', '12'], { input: v3qr }),
      2,
      'INVALID_INPUT',
    );
    expectFailure(
      await cli(['token', 'approve', '--state', state, '--pin', '1234', '--length', '9'], { input: v3qr }),
      2,
      'INVALID_INPUT',
    );
    expectFailure(
      await cli(['token', 'approve', '--state', state, '--pin', '1234', '--qr', join(dir, 'nope.txt')]),
      2,
      'INVALID_INPUT',
    );
    expect(readState(state).counter).toBe(0);
  });

  it('no state → exit 1 NOT_ACTIVATED; corrupt state → exit 1 STORAGE_FAILURE', async () => {
    expectFailure(
      await cli(['token', 'approve', '--state', join(dir, 'none.json'), '--pin', '1234'], { input: v3qr }),
      1,
      'NOT_ACTIVATED',
    );
    expectFailure(await cli(['token', 'status', '--state', join(dir, 'none.json')]), 1, 'NOT_ACTIVATED');
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"format":"offcode-token/9"}');
    expectFailure(
      await cli(['token', 'approve', '--state', bad, '--pin', '1234'], { input: v3qr }),
      1,
      'STORAGE_FAILURE',
    );
    expectFailure(await cli(['token', 'status', '--state', bad]), 1, 'STORAGE_FAILURE');
  });

  it('a held lock → exit 1 STORAGE_FAILURE "state file is locked"', async () => {
    const state = stateFile(3);
    writeFileSync(`${state}.lock`, `${process.pid} ${new Date().toISOString()}\n`);
    const line = expectFailure(
      await cli(['token', 'approve', '--state', state, '--pin', '1234'], { input: v3qr }),
      1,
      'STORAGE_FAILURE',
    );
    expect(line).toMatch(/state file is locked/);
    rmSync(`${state}.lock`);
  });
});

describe('counter safety: the CLI killed between persisting and printing', () => {
  it('leaves the state one step ahead; the next run uses the next counter value', async () => {
    const state = stateFile(3);
    const qr = payloadCase(EXAMPLES[3].payloadCase);
    const child = spawn(process.execPath, [CLI, 'token', 'approve', '--state', state, '--pin', '1234'], {
      env: { ...process.env, OFFCODE_DEBUG_HOLD_AFTER_PERSIST: '1' },
    });
    let stdout = '';
    child.stdout.on('data', (c) => {
      stdout += c;
    });
    child.stdin.end(qr);
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (c: Buffer) => {
        if (c.toString().includes('persisted')) resolve();
      });
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(stdout).toBe(''); // the code was never shown
    const s = readState(state);
    expect(s.counter).toBe(1);
    expect(s.ctrData).toBe(EXAMPLES[3].next);
    const r = await cli(['token', 'approve', '--state', state, '--pin', '1234'], { input: qr });
    expectOk(r);
    expect(r.stdout).toBe(`${EXAMPLES[3].nextCode}\n`); // crypto.md §13: the code at k = 1
    expect(readState(state).counter).toBe(2);
  });
});
