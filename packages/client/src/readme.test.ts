/**
 * The README's first example runs, as written, in a plain Node process against the built package (self
 * reference) and a real in-process server: it activates (V4, plain), scans a master-signed payload and
 * prints a code the server accepts.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { issuePayload, newActivationCode, useServer, verifyOnServer } from '@offcode/test-harness/server';
import { afterAll, describe, expect, it } from 'vitest';
import { DIST_DIR, PACKAGE_DIR } from '../test/helpers.js';

const h = useServer();
const dir = mkdtempSync(join(tmpdir(), 'offcode-readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The n-th ```js block of the README. */
function readmeBlock(n: number): string {
  const readme = readFileSync(join(PACKAGE_DIR, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!);
  if (!blocks[n]) throw new Error(`README has no js block ${n}`);
  return blocks[n];
}

describe('README example', () => {
  it('activates, scans and prints a code the server accepts', async () => {
    expect(existsSync(join(DIST_DIR, 'index.js')), 'build the package first').toBe(true);
    const { activationCode } = await newActivationCode(h);
    const op = await issuePayload(h, { protocol: 4, biometry: true });
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--input-type=module', '-e', readmeBlock(0)],
      {
        cwd: PACKAGE_DIR,
        timeout: 60_000,
        env: {
          ...process.env,
          OFFCODE_URL: h.url,
          ACTIVATION_CODE: activationCode,
          QR_TEXT: op.offlineData,
          STATE_FILE: join(dir, 'alice.json'),
        },
      },
    );
    expect(stderr).toBe('');
    const [first, second, code] = stdout.trim().split('\n') as [string, string, string];
    const [activationId, activationStatus, mechanism] = first.split(' ');
    expect([activationStatus, mechanism]).toEqual(['ACTIVE', 'plain']);
    expect(second).toBe('Payment pin,biometry');
    expect(code).toMatch(/^\d{8}-\d{8}$/);
    expect((await verifyOnServer(h, 4, activationId!, op, code)).valid).toBe(true);
  });

  it('the PowerAuth block uses the transcript application (what the transcript test replays)', () => {
    const block = readmeBlock(1);
    const t = JSON.parse(
      readFileSync(join(PACKAGE_DIR, '../../test-vectors/v3/activation/activation-transcript.json'), 'utf8'),
    ).transcript;
    expect(block).toContain(t.application.applicationKey);
    expect(block).toContain(t.application.applicationSecret);
    expect(block).toContain(t.application.masterServerKeyPair.publicKeyBase64);
    expect(block).toContain(t.serverPreparation.activationCode);
  });
});
