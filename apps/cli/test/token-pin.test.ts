/**
 * Where the PIN and the state file come from (client.md §5.1): `--pin-stdin`, the terminal prompt (answers
 * injected in-process), `--pin`; the default state file in the per-user data directory (XDG_DATA_HOME, HOME).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { payloadCase } from '@offcode/test-harness/vectors';
import { afterAll, describe, expect, it } from 'vitest';
import { EXAMPLES, writeExampleState } from './fixtures.js';
import { cli, expectFailure, expectOk, offcode } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'offcode-pin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const ex = EXAMPLES[3];
const qr = payloadCase(ex.payloadCase);
const qrFile = join(dir, 'qr.txt');
writeFileSync(qrFile, qr);

function stateFile(): string {
  const path = join(dir, `state-${n++}.json`);
  writeExampleState(path, 3);
  return path;
}

describe('the PIN for token approve', () => {
  it('--pin-stdin: the first line of stdin, the payload from --qr', async () => {
    const r = await cli(['token', 'approve', '--state', stateFile(), '--pin-stdin', '--qr', qrFile], {
      input: '1234\n',
    });
    expectOk(r);
    expect(r.stdout).toBe(`${ex.code}\n`);
  });

  it('--pin-stdin without --qr, an empty stdin or more than one line → exit 2, nothing computed', async () => {
    const state = stateFile();
    const line = expectFailure(
      await cli(['token', 'approve', '--state', state, '--pin-stdin'], { input: '1234\n' }),
      2,
      'INVALID_INPUT',
    );
    expect(line).toMatch(/--qr/);
    for (const input of ['', '\n', '1234\n5678\n'])
      expectFailure(
        await cli(['token', 'approve', '--state', state, '--pin-stdin', '--qr', qrFile], { input }),
        2,
        'INVALID_INPUT',
      );
    const status = await cli(['token', 'status', '--state', state]);
    expect(JSON.parse(status.stdout).counter).toBe(0);
  });

  it('no PIN option: asked once on the terminal, nothing on stderr, the right code', async () => {
    const r = await cli(['token', 'approve', '--state', stateFile()], { input: qr, answers: ['1234'] });
    expectOk(r);
    expect(r.prompts).toEqual(['PIN: ']);
    expect(r.stdout).toBe(`${ex.code}\n`);
  });

  it('a payload that does not verify fails before the PIN is asked for', async () => {
    const tampered = qr.replace('Payment', 'Paymenx');
    const r = await cli(['token', 'approve', '--state', stateFile()], { input: tampered, answers: ['1234'] });
    expect(tampered).not.toBe(qr);
    expect(r.prompts).toEqual([]);
    expectFailure(r, 1, 'SIGNATURE_INVALID');
  });

  it('no PIN option and no terminal → exit 2 naming --pin-stdin', async () => {
    const line = expectFailure(
      await cli(['token', 'approve', '--state', stateFile()], { input: qr }),
      2,
      'INVALID_INPUT',
    );
    expect(line).toMatch(/--pin-stdin/);
  });

  it('--pin on the command line is still accepted', async () => {
    const r = await cli(['token', 'approve', '--state', stateFile(), '--pin', '1234'], { input: qr });
    expectOk(r);
    expect(r.stdout).toBe(`${ex.code}\n`);
  });
});

describe('the PIN for token activate', () => {
  const base = [
    ...['token', 'activate', '--server', 'http://127.0.0.1:9', '--application', 'offcode-demo'],
    ...['--mechanism', 'plain'],
  ];
  const args = (state: string) => [...base, '--code', 'AAAAA-AAAAA-AAAAA-AAAAA', '--state', state];

  it('asked twice; two different answers → exit 2 before any network call, no state file', async () => {
    const state = join(dir, 'never.json');
    const r = await cli(args(state), { answers: ['1234', '1235'] });
    expect(r.prompts).toEqual(['PIN: ', 'PIN again: ']);
    expect(expectFailure(r, 2, 'INVALID_INPUT')).toMatch(/PINs differ/);
    expectFailure(await cli(['token', 'status', '--state', state]), 1, 'NOT_ACTIVATED');
  });

  it('--pin-stdin is read (the unreachable server then fails the activation with exit 1)', async () => {
    const state = join(dir, 'never2.json');
    const r = await cli([...args(state), '--pin-stdin'], { input: '1234\n' });
    expect(r.prompts).toEqual([]);
    expectFailure(r, 1, 'NETWORK_ERROR');
  });
});

describe('the default state file: the per-user data directory, not the working directory', () => {
  it('in-process: the io decides the path', async () => {
    const path = stateFile();
    const r = await cli(['token', 'status'], { defaultState: path });
    expectOk(r);
    expect(JSON.parse(r.stdout).counter).toBe(0);
  });

  it('the binary: $XDG_DATA_HOME/offcode/token.json, else $HOME/.local/share/offcode/token.json', () => {
    const xdg = join(dir, 'xdg');
    mkdirSync(join(xdg, 'offcode'), { recursive: true });
    writeExampleState(join(xdg, 'offcode', 'token.json'), 3);
    const cwd = mkdtempSync(join(dir, 'cwd-'));
    expectOk(offcode(['token', 'status'], { env: { XDG_DATA_HOME: xdg }, cwd }));
    const home = join(dir, 'home');
    mkdirSync(join(home, '.local', 'share', 'offcode'), { recursive: true });
    writeExampleState(join(home, '.local', 'share', 'offcode', 'token.json'), 4);
    const r = offcode(['token', 'status'], { env: { XDG_DATA_HOME: undefined, HOME: home }, cwd });
    expectOk(r);
    expect(JSON.parse(r.stdout).protocol).toBe(4);
  });
});
