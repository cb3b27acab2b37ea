/**
 * Issue 12 item 2: the code as the user typed it verifies through `offline.verifyTyped` (spaces, dashes,
 * 4-digit groups, 8-8, surrounding whitespace, no-break spaces) for the request's component length; a wrong
 * entry is ERR0024 on `typedCode` with a user message, reads and writes nothing and counts no attempt; the
 * REST verify keeps PowerAuth's exact format.
 */

import { formatCodeForDisplay } from '@offcode/protocol';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedDevice } from '../../test/device.js';
import { activateDevice, createApp, makeServer, paymentData } from '../../test/harness.js';
import { type OpenedStorage, storageFactories } from '../../test/storages.js';
import { OffcodeError } from '../errors.js';
import type { OffcodeServer } from '../server.js';
import type { Storage } from '../storage/types.js';

/** Everything a verification could write. */
async function fingerprint(storage: Storage): Promise<string> {
  const parts: string[] = [];
  for (const t of ['oc_activation', 'oc_activation_history', 'oc_auth_audit', 'oc_offline_payload']) {
    const r = await storage.query<{ f: string | null }>(
      `SELECT md5(string_agg(x::text, '|' ORDER BY x::text)) AS f FROM ${t} x`,
    );
    parts.push(`${t}:${r.rows[0]!.f ?? ''}`);
  }
  return parts.join(',');
}

async function rejection(p: Promise<unknown>): Promise<OffcodeError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(OffcodeError);
  return e as OffcodeError;
}

describe.each(storageFactories)('offline.verifyTyped on $name', (factory) => {
  let opened: OpenedStorage;
  let server: OffcodeServer;
  let app: string;

  beforeAll(async () => {
    opened = await factory.open();
    ({ server } = await makeServer(opened.storage));
    app = await createApp(server);
  });
  afterAll(async () => {
    await opened?.cleanup();
  });

  async function issue(device: SimulatedDevice, length?: number) {
    const created = await server.offline.createPersonalized(device.protocol, {
      activationId: device.activationId,
      data: paymentData(),
    });
    const payload = device.readPayload(created.offlineData);
    const code = device.computeCode(payload, length ? { length } : {});
    const { activationId, data } = device.verifyRequest(payload, code);
    return { code, typed: { activationId, data } };
  }

  describe.each([3, 4] as const)('V%i', (version) => {
    it('accepts the display form the token shows, which the REST verify refuses as malformed', async () => {
      const device = await activateDevice(server, app, version);
      const { code, typed } = await issue(device);
      const display = formatCodeForDisplay(code); // e.g. 8064-5777-7477-9172
      expect(display.split('-')).toHaveLength(4);
      const codeField = version === 3 ? 'signature' : 'authenticationCode';
      const rest = await rejection(server.offline.verify(version, { ...typed, [codeField]: display }));
      expect(rest.code).toBe('ERR0024');
      expect(rest.message).toBe(`${codeField} - must be groups of 4..8 digits joined by "-"`);
      const outcome = await server.offline.verifyTyped(version, { ...typed, typedCode: display });
      expect(outcome).toMatchObject({ valid: true, result: 'valid', activationStatus: 'ACTIVE' });
      const status = await server.activations.status({ activationId: device.activationId });
      expect(status).toMatchObject({ counter: 1, failedAttempts: 0 });
    });

    it('accepts every spelling a user types: spaces, 8-8, digits only, outer whitespace, no-break spaces', async () => {
      const device = await activateDevice(server, app, version);
      const spell = [
        (c: string) => formatCodeForDisplay(c).replace(/-/g, ' '),
        (c: string) => c,
        (c: string) => c.replace('-', ''),
        (c: string) => `  \t${formatCodeForDisplay(c)}\r\n`,
        (c: string) => formatCodeForDisplay(c).replace(/-/g, '\u00A0'),
        (c: string) => c.replace('-', ' - '),
      ];
      for (const [i, variant] of spell.entries()) {
        const { code, typed } = await issue(device);
        const outcome = await server.offline.verifyTyped(version, { ...typed, typedCode: variant(code) });
        expect(outcome.valid, `spelling ${i}`).toBe(true);
      }
    });

    it('normalises for the request componentLength (4-digit components)', async () => {
      const device = await activateDevice(server, app, version);
      const { code, typed } = await issue(device, 4);
      expect(code).toMatch(/^[0-9]{4}-[0-9]{4}$/);
      const wrongLength = await rejection(
        server.offline.verifyTyped(version, { ...typed, typedCode: code.replace('-', ' ') }),
      );
      expect(wrongLength.message).toBe('typedCode - enter 16 digits');
      const outcome = await server.offline.verifyTyped(version, {
        ...typed,
        componentLength: 4,
        typedCode: ` ${code.replace('-', ' ')} `,
      });
      expect(outcome.valid).toBe(true);
    });

    it('a wrong entry is ERR0024 on typedCode with a user message: nothing read or written, no attempt', async () => {
      const device = await activateDevice(server, app, version);
      const { code, typed } = await issue(device);
      const before = await fingerprint(opened.storage);
      const cases: [string, string][] = [
        ['1234 5678 9012', 'typedCode - enter 16 digits'],
        [`${code}0`, 'typedCode - enter 16 digits'],
        ['', 'typedCode - enter the code'],
        [' - ', 'typedCode - enter the code'],
        [`${code.slice(0, 5)}O${code.slice(6)}`, 'typedCode - enter digits only (position 6 is not a digit)'],
        ['８０６４ 5777 7477 9172', 'typedCode - enter digits only (position 1 is not a digit)'],
      ];
      for (const [typedCode, message] of cases) {
        const e = await rejection(server.offline.verifyTyped(version, { ...typed, typedCode }));
        expect([e.code, e.field, e.message, e.kind]).toEqual(['ERR0024', 'typedCode', message, 'input']);
        expect(e.message).not.toContain(code.slice(0, 8));
      }
      const missing = await rejection(server.offline.verifyTyped(version, typed));
      expect(missing.message).toBe('typedCode - is required');
      expect(await fingerprint(opened.storage)).toBe(before);
      // The right code afterwards is still accepted: nothing was counted or consumed.
      expect((await server.offline.verifyTyped(version, { ...typed, typedCode: code })).valid).toBe(true);
      const status = await server.activations.status({ activationId: device.activationId });
      expect(status).toMatchObject({ counter: 1, failedAttempts: 0 });
    });

    it('16 digits that are not the code are one failed attempt, as through the REST verify', async () => {
      const device = await activateDevice(server, app, version);
      const { typed } = await issue(device);
      const outcome = await server.offline.verifyTyped(version, {
        ...typed,
        typedCode: '0000 0000 0000 0000',
      });
      expect(outcome).toMatchObject({ valid: false, result: 'invalid', remainingAttempts: 4 });
      const audit = await server.audit.list({ activationId: device.activationId, limit: 10 });
      expect(audit.items[0]).toMatchObject({ valid: false });
    });
  });

  it('fuzz: arbitrary typedCode values give an outcome or an OffcodeError ERR0024, never anything else', async () => {
    const device = await activateDevice(server, app, 4, { maxFailureCount: 64 });
    const { typed } = await issue(device);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 40 }),
          fc.string({ unit: fc.constantFrom(...'0123456789 -\u00A0\t'), maxLength: 30 }),
          fc.anything(),
        ),
        async (typedCode) => {
          try {
            await server.offline.verifyTyped(4, { ...typed, typedCode });
          } catch (e) {
            expect(e).toBeInstanceOf(OffcodeError);
            expect((e as OffcodeError).code).toBe('ERR0024');
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
