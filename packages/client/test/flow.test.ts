/**
 * The full token flow against a real @offcode/server (PGlite in memory) over HTTP: activate, scan
 * personalized and non-personalized payloads, approve with PIN and biometry, verify on the server.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  APP,
  issuePayload,
  newActivationCode,
  startServer,
  useServer,
  verifyOnServer,
} from '@offcode/test-harness/server';
import { afterAll, describe, expect, it } from 'vitest';
import { FileTokenStore } from '../src/node/file-store.js';
import { MemoryTokenStore } from '../src/stores/memory.js';
import { OffcodeToken } from '../src/token.js';
import { DIST_DIR, fails } from './helpers.js';

const h = useServer();
const dir = mkdtempSync(join(tmpdir(), 'offcode-flow-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function activated(
  protocol: 3 | 4,
  opts: { biometry?: boolean; store?: MemoryTokenStore | FileTokenStore } = {},
) {
  const { activationCode } = await newActivationCode(h);
  const token = new OffcodeToken({ store: opts.store ?? new MemoryTokenStore() });
  const status = await token.activate({
    serverUrl: h.url,
    applicationId: APP,
    activationCode,
    pin: '1234',
    protocol,
    enableBiometry: opts.biometry ?? true,
  });
  return { token, status, activationId: status.activationId };
}

describe.each([3, 4] as const)('full flow, protocol %i', (protocol) => {
  it('activate → scan personalized → approve with PIN → the server accepts the code', async () => {
    const { token, status, activationId } = await activated(protocol);
    expect(status).toMatchObject({
      protocol,
      activationStatus: 'ACTIVE',
      counter: 0,
      biometry: true,
      componentLength: 8,
      applicationId: APP,
    });
    const op = await issuePayload(h, { protocol, activationId, biometry: true });
    expect(op.payload.keyType).toBe(protocol === 3 ? 1 : 2);
    const scanned = await token.scan(op.offlineData);
    expect(scanned.allowed).toEqual(['pin', 'biometry']);
    const { code, counter } = await token.approve(scanned, { pin: '1234' });
    expect(counter).toBe(1);
    expect(await verifyOnServer(h, protocol, activationId, op, code, { allowBiometry: true })).toMatchObject({
      valid: true,
      type: 'POSSESSION_KNOWLEDGE',
    });
    // The server consumed the payload: the same code is never accepted twice.
    await expect(verifyOnServer(h, protocol, activationId, op, code)).rejects.toMatchObject({
      code: 'OFF-0103',
    });
  });

  it('non-personalized payload (key type 0, master key from the exchange) approved with biometry', async () => {
    const { token, activationId } = await activated(protocol);
    const op = await issuePayload(h, { protocol, biometry: true });
    expect(op.payload.keyType).toBe(0);
    const scanned = await token.scan(op.offlineData);
    const { code } = await token.approve(scanned, { biometry: true });
    expect(await verifyOnServer(h, protocol, activationId, op, code, { allowBiometry: true })).toMatchObject({
      valid: true,
      type: 'POSSESSION_BIOMETRY',
    });
  });

  it('personalized payload with proximity TOTP', async () => {
    const { token, activationId } = await activated(protocol);
    const op = await issuePayload(h, { protocol, activationId, proximity: true });
    expect(op.payload.totp).toMatch(/^\d{8}$/);
    const { code } = await token.approve(op.offlineData, { pin: '1234' });
    expect((await verifyOnServer(h, protocol, activationId, op, code)).valid).toBe(true);
  });

  it('a wrong PIN yields a code the server rejects and counts as a failed attempt; the right PIN then works', async () => {
    const { token, activationId } = await activated(protocol);
    const op1 = await issuePayload(h, { protocol, activationId });
    const wrong = await token.approve(op1.offlineData, { pin: '9999' });
    expect(wrong.code).toMatch(/^\d{8}-\d{8}$/);
    const r1 = await verifyOnServer(h, protocol, activationId, op1, wrong.code);
    expect(r1).toMatchObject({ valid: false, activationStatus: 'ACTIVE', remainingAttempts: 4 });
    expect((await h.server.activations.status({ activationId })).failedAttempts).toBe(1);
    // The wrong-PIN code consumed a counter value; the server's lookahead absorbs it.
    const op2 = await issuePayload(h, { protocol, activationId });
    const right = await token.approve(op2.offlineData, { pin: '1234' });
    expect((await verifyOnServer(h, protocol, activationId, op2, right.code)).valid).toBe(true);
    expect((await h.server.activations.status({ activationId })).failedAttempts).toBe(0);
  });

  it('biometry: refused without flag B; without a biometry key the token has none to offer', async () => {
    const { token, activationId } = await activated(protocol, { biometry: false });
    const op = await issuePayload(h, { protocol, activationId, biometry: true });
    expect((await token.scan(op.offlineData)).allowed).toEqual(['pin']);
    await fails(token.approve(op.offlineData, { biometry: true }), 'BIOMETRY_UNAVAILABLE');
    const other = await activated(protocol);
    const noB = await issuePayload(h, { protocol, activationId: other.activationId, biometry: false });
    await fails(other.token.approve(noB.offlineData, { biometry: true }), 'BIOMETRY_NOT_ALLOWED');
  });

  it('a payload for another activation is refused', async () => {
    const mine = await activated(protocol);
    const theirs = await activated(protocol);
    const op = await issuePayload(h, { protocol, activationId: theirs.activationId });
    await fails(mine.token.scan(op.offlineData), 'SIGNATURE_INVALID');
    await fails(mine.token.approve(op.offlineData, { pin: '1234' }), 'SIGNATURE_INVALID');
    const otherProtocol = await activated(protocol === 3 ? 4 : 3);
    const foreign = await issuePayload(h, {
      protocol: protocol === 3 ? 4 : 3,
      activationId: otherProtocol.activationId,
    });
    await fails(mine.token.scan(foreign.offlineData), 'WRONG_ACTIVATION');
    expect((await mine.token.status()).counter).toBe(0);
  });

  it('a tampered QR is refused by scan with a typed error', async () => {
    const { token, activationId } = await activated(protocol);
    const op = await issuePayload(h, { protocol, activationId, amount: '100' });
    const tampered = op.offlineData.replace('A100EUR', 'A900EUR');
    expect(tampered).not.toBe(op.offlineData);
    const e = await fails(token.scan(tampered), 'SIGNATURE_INVALID');
    expect(e.message).toMatch(/modified/);
    const nonPersonalized = await issuePayload(h, { protocol });
    await fails(token.scan(nonPersonalized.offlineData.replace('Payment', 'Paymant')), 'SIGNATURE_INVALID');
  });
});

describe('activation and status against the server', () => {
  it('exchange errors are ACTIVATION_FAILED with the server code; a used code cannot be reused', async () => {
    const { activationCode } = await newActivationCode(h);
    const a = new OffcodeToken({ store: new MemoryTokenStore() });
    await a.activate({ serverUrl: h.url, applicationId: APP, activationCode, pin: '1234', protocol: 3 });
    const b = new OffcodeToken({ store: new MemoryTokenStore() });
    const e = await fails(
      b.activate({ serverUrl: h.url, applicationId: APP, activationCode, pin: '1234', protocol: 3 }),
      'ACTIVATION_FAILED',
    );
    expect(e.serverCode).toBe('ERR0008');
    const wrongApp = await newActivationCode(h);
    const e2 = await fails(
      new OffcodeToken({ store: new MemoryTokenStore() }).activate({
        serverUrl: h.url,
        applicationId: 'other-app',
        activationCode: wrongApp.activationCode,
        pin: '1234',
      }),
      'ACTIVATION_FAILED',
    );
    expect(e2.serverCode).toBe('ERR0015');
  });

  it('a pinned master key must match the server', async () => {
    const detail = await h.server.applications.detail({ applicationId: APP });
    const good = await newActivationCode(h);
    const t = new OffcodeToken({ store: new MemoryTokenStore() });
    await t.activate({
      serverUrl: h.url,
      applicationId: APP,
      activationCode: good.activationCode,
      pin: '1234',
      protocol: 4,
      masterPublicKey: detail.masterPublicKeys.EC_P384!,
    });
    const bad = await newActivationCode(h);
    const e = await fails(
      new OffcodeToken({ store: new MemoryTokenStore() }).activate({
        serverUrl: h.url,
        applicationId: APP,
        activationCode: bad.activationCode,
        pin: '1234',
        protocol: 3,
        masterPublicKey:
          'BGoJOebdNAUiJAsiVDwJ3sma6PlWRx68r2dB5hc/G5sZiXrBtjeqX4aNZTSoN9ITgO0QK8G58vXdQtMFvknPoQ8=',
      }),
      'ACTIVATION_FAILED',
    );
    expect(e.message).toMatch(/pinned/);
  });

  it('status --remote persists BLOCKED and REMOVED; a removed token refuses to scan', async () => {
    const { token, activationId } = await activated(3);
    const st = await token.status({ remote: true });
    expect(st.activationStatus).toBe('ACTIVE');
    expect(st.statusCheckedAt).not.toBeNull();
    await h.server.activations.block({ activationId, reason: 'LOST' });
    expect(await token.status({ remote: true })).toMatchObject({
      activationStatus: 'BLOCKED',
      blockedReason: 'LOST',
    });
    expect((await token.status()).activationStatus).toBe('BLOCKED');
    await h.server.activations.remove({ activationId });
    expect((await token.status({ remote: true })).activationStatus).toBe('REMOVED');
    const op = await issuePayload(h, { protocol: 3 });
    await fails(token.scan(op.offlineData), 'NOT_ACTIVATED');
  });

  it('status --remote sends HTTP Basic when the server requires integration credentials', async () => {
    const guarded = await startServer({ credentials: 'tok:s3cret' });
    try {
      const { activationCode } = await guarded.server.activations.init({ userId: 'bob', applicationId: APP });
      const token = new OffcodeToken({ store: new MemoryTokenStore() });
      await token.activate({ serverUrl: guarded.url, applicationId: APP, activationCode, pin: '1234' });
      const e = await fails(token.status({ remote: true }), 'NETWORK_ERROR');
      expect(e.serverCode).toBe('OFF-0001');
      expect(
        (await token.status({ remote: true, credentials: { username: 'tok', password: 's3cret' } }))
          .activationStatus,
      ).toBe('ACTIVE');
      expect(guarded.requests.at(-1)?.authorization).toBe(
        `Basic ${Buffer.from('tok:s3cret').toString('base64')}`,
      );
      // The exchange itself is never authenticated.
      expect(guarded.requests[0]?.authorization).toBeUndefined();
    } finally {
      await guarded.close();
    }
  });
});

describe('counter safety: a process killed between persisting and returning the code', () => {
  it('the next code uses the next counter value and the server still accepts it (lookahead)', async () => {
    const path = join(dir, 'killed.json');
    const { activationId } = await activated(4, { store: new FileTokenStore(path) });
    const op = await issuePayload(h, { protocol: 4, activationId });
    const script = `
      import { OffcodeToken } from ${JSON.stringify(join(DIST_DIR, 'index.js'))};
      import { FileTokenStore } from ${JSON.stringify(join(DIST_DIR, 'node.js'))};
      const token = new OffcodeToken({
        store: new FileTokenStore(${JSON.stringify(path)}),
        afterCounterPersisted: () => { process.stderr.write('persisted\\n'); return new Promise(() => setInterval(() => {}, 1e6)); },
      });
      const r = await token.approve(${JSON.stringify(op.offlineData)}, { pin: '1234' });
      process.stdout.write(r.code);
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script]);
    let stdout = '';
    child.stdout.on('data', (c) => {
      stdout += c;
    });
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (c: Buffer) => (c.toString().includes('persisted') ? resolve() : undefined));
      child.once('exit', () => reject(new Error('child exited before persisting')));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(stdout).toBe('');
    const saved = JSON.parse(readFileSync(path, 'utf8'));
    expect(saved.counter).toBe(1);
    // Run again: the token is one step ahead of the server; the code is computed with next(ctrData).
    const token = new OffcodeToken({ store: new FileTokenStore(path) });
    const { code, counter } = await token.approve(op.offlineData, { pin: '1234' });
    expect(counter).toBe(2);
    expect(await verifyOnServer(h, 4, activationId, op, code)).toMatchObject({ valid: true });
    expect((await h.server.activations.status({ activationId })).counter).toBe(2);
  });
});
