/**
 * `token activate` flags of the PowerAuth path and `token remove` without a server (client.md §5.2): every
 * missing or malformed flag is exit 2 with one line naming it, before the PIN prompt and before any network
 * call (the server URL is a closed port: a check that let the call through would end in NETWORK_ERROR,
 * exit 1). The enrolment itself, over HTTP against the real API, is apps/api/test/e2e-powerauth.test.ts.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeBase64Strict, encodeBase64 } from '@offcode/protocol';
import { encodeMobileSdkConfig } from '@offcode/protocol/pa3';
import { afterAll, describe, expect, it } from 'vitest';
import { EXAMPLES, writeExampleState } from './fixtures.js';
import { cli, expectFailure } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'offcode-pa-flags-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CLOSED = 'http://127.0.0.1:9';
const KEY = 'AAECAwQFBgcICQoLDA0ODw==';
const SECRET = 'EBESExQVFhcYGRobHB0eHw==';
const CODE = 'AAAAA-AAAAA-AAAAA-AAAAA';
const state = join(dir, 'never.json');

/** A complete PowerAuth activate command line with `flags` replacing or removing ('' value) entries. */
function activate(flags: Record<string, string | undefined> = {}): string[] {
  const all: Record<string, string | undefined> = {
    '--server': CLOSED,
    '--code': CODE,
    '--app-key': KEY,
    '--app-secret': SECRET,
    '--master-key': EXAMPLES[3].master,
    '--state': state,
    ...flags,
  };
  const args = ['token', 'activate'];
  for (const [flag, value] of Object.entries(all)) if (value !== undefined) args.push(flag, value);
  return args;
}

/** exit 2, one line naming `flag`, no prompt shown, no state file written. */
async function refused(args: string[], flag: string): Promise<string> {
  const r = await cli(args, { answers: ['1234', '1234'] });
  const line = expectFailure(r, 2, 'INVALID_INPUT');
  expect(line).toContain(flag);
  expect(r.prompts).toEqual([]);
  expect(existsSync(state)).toBe(false);
  return line;
}

describe('token activate, PowerAuth (the V3 default): flags checked before the PIN and the network', () => {
  it('all flags well-formed: the PIN is asked twice and the closed port fails the call (exit 1)', async () => {
    const r = await cli(activate(), { answers: ['1234', '1234'] });
    expect(r.prompts).toEqual(['PIN: ', 'PIN again: ']);
    expectFailure(r, 1, 'NETWORK_ERROR');
    const explicit = await cli([
      ...activate(),
      '--mechanism',
      'powerauth',
      '--protocol',
      '3',
      '--pin',
      '1234',
    ]);
    expectFailure(explicit, 1, 'NETWORK_ERROR');
  });

  it.each(['--app-key', '--app-secret', '--master-key'])('%s missing → exit 2 naming it', async (flag) => {
    expect(await refused(activate({ [flag]: undefined }), flag)).toMatch(/is required/);
  });

  it.each([
    ['--app-key', 'AAECAwQFBgcICQoLDA0O'], // 15 bytes
    ['--app-key', 'AAECAwQFBgcICQoLDA0ODw'], // no padding
    ['--app-secret', 'not base64!'],
    ['--master-key', EXAMPLES[4].master], // a P-384 key
    [
      '--master-key',
      'BP0G8/tV/kDLDaGCQmoeaOAabLQXjYF/6lgqVpUI3cS6FTTtIzPzOY137vyZFSthKorKvq0iih1PLUeeEFUkAGA=',
    ],
    ['--code', 'AAAAA-AAAAA-AAAAA-AAAAB'], // bad checksum
    ['--code', `${CODE}#`], // empty signature
    ['--code', `${CODE}#not*base64`],
    ['--server', 'ftp://example'],
    ['--server', 'not a url'],
  ])('%s %s → exit 2 naming it', async (flag, value) => {
    await refused(activate({ [flag]: value }), flag);
  });

  it('what only the token library checks is reworded to name the flag', async () => {
    const line = await refused(
      [...activate({ '--application': 'a\u0001b' }), '--pin', '1234'],
      '--application',
    );
    expect(line).toMatch(/^offcode: INVALID_INPUT: --application: /);
  });

  it('a well-formed signature after # that the master key does not verify → exit 1 SIGNATURE_INVALID', async () => {
    const r = await cli([...activate({ '--code': `${CODE}#AAAA` }), '--pin', '1234']);
    expectFailure(r, 1, 'SIGNATURE_INVALID');
    expect(existsSync(state)).toBe(false);
  });

  it('--protocol 4 with --mechanism powerauth → exit 2; the app credentials with plain → exit 2', async () => {
    await refused([...activate(), '--protocol', '4', '--mechanism', 'powerauth'], '--mechanism');
    await refused([...activate({ '--master-key': undefined }), '--protocol', '4'], '--app-key');
    await refused(
      [
        ...activate({ '--app-key': undefined, '--master-key': undefined }),
        '--mechanism',
        'plain',
        '--application',
        'a',
      ],
      '--app-secret',
    );
    await refused(
      [...activate({ '--app-key': undefined, '--app-secret': undefined }), '--mechanism', 'plain'],
      '--application',
    );
    await refused([...activate(), '--mechanism', 'pa'], '--mechanism');
  });
});

/** A configuration string (activation.md §11) of KEY, SECRET and the given keys (default: key 1 = the V3 master key). */
function sdkConfig(keys: [number, Uint8Array][] = [[1, decodeBase64Strict(EXAMPLES[3].master)]]): string {
  return encodeMobileSdkConfig({
    applicationKey: decodeBase64Strict(KEY),
    applicationSecret: decodeBase64Strict(SECRET),
    keys,
  });
}

/** The PowerAuth command line with --sdk-config in place of the three flags it carries. */
function withSdkConfig(value: string, flags: Record<string, string | undefined> = {}): string[] {
  const three = { '--app-key': undefined, '--app-secret': undefined, '--master-key': undefined };
  return [...activate({ ...three, ...flags }), '--sdk-config', value];
}

describe('token activate --sdk-config, checked before the PIN and the network', () => {
  it('well-formed: the PIN is asked twice and the closed port fails the call (exit 1)', async () => {
    const r = await cli(withSdkConfig(sdkConfig()), { answers: ['1234', '1234'] });
    expect(r.prompts).toEqual(['PIN: ', 'PIN again: ']);
    expectFailure(r, 1, 'NETWORK_ERROR');
    const qrForm = await cli([...withSdkConfig(sdkConfig(), { '--code': `${CODE}#AAAA` }), '--pin', '1234']);
    expectFailure(qrForm, 1, 'SIGNATURE_INVALID'); // the string's master key checks the QR signature
  });

  it.each(['--app-key', '--app-secret', '--master-key'])(
    'with %s too → exit 2 naming --sdk-config',
    async (flag) => {
      const value = { '--app-key': KEY, '--app-secret': SECRET, '--master-key': EXAMPLES[3].master }[flag]!;
      const line = await refused(withSdkConfig(sdkConfig(), { [flag]: value }), '--sdk-config');
      expect(line).toMatch(/give one or the other/);
    },
  );

  const good = decodeBase64Strict(sdkConfig());
  it.each([
    ['not Base64', 'not*base64'],
    ['empty', ''],
    ['no padding', sdkConfig().replace(/=+$/, '')],
    ['truncated', encodeBase64(good.subarray(0, 40))],
    ['a trailing byte', encodeBase64(Uint8Array.of(...good, 0))],
    ['version 2', encodeBase64(Uint8Array.of(2, ...good.subarray(1)))],
    ['no key 1', sdkConfig([[2, new Uint8Array(97).fill(4)]])],
    ['key 1 a P-384 key', sdkConfig([[1, decodeBase64Strict(EXAMPLES[4].master)]])],
  ])('%s → exit 2, one line naming --sdk-config, the secret not in it', async (_name, value) => {
    const line = await refused(withSdkConfig(value), '--sdk-config');
    expect(line).not.toContain(SECRET);
  });

  it('with --protocol 4 or --mechanism plain → exit 2 naming --sdk-config', async () => {
    await refused([...withSdkConfig(sdkConfig()), '--protocol', '4'], '--sdk-config');
    await refused(
      [...withSdkConfig(sdkConfig()), '--mechanism', 'plain', '--application', 'a'],
      '--sdk-config',
    );
  });

  it('--help lists --sdk-config', async () => {
    const r = await cli(['token', 'activate', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/--sdk-config <b64>/);
  });
});

describe('token remove without a server', () => {
  it('no state file → exit 1 NOT_ACTIVATED', async () => {
    expectFailure(
      await cli(['token', 'remove', '--state', join(dir, 'none.json'), '--pin', '1234']),
      1,
      'NOT_ACTIVATED',
    );
  });

  it('a plain-enrolled token → exit 2, before the PIN is asked; the state file is kept', async () => {
    const file = join(dir, 'plain.json');
    writeExampleState(file, 3);
    const before = readFileSync(file, 'utf8');
    const r = await cli(['token', 'remove', '--state', file], { answers: ['1234'] });
    expect(expectFailure(r, 2, 'INVALID_INPUT')).toMatch(/plain exchange/);
    expect(r.prompts).toEqual([]);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('--pin with --biometry or --pin-stdin → exit 2', async () => {
    expectFailure(await cli(['token', 'remove', '--pin', '1234', '--biometry']), 2, 'INVALID_INPUT');
    expectFailure(await cli(['token', 'remove', '--pin', '1234', '--pin-stdin']), 2, 'INVALID_INPUT');
  });
});
