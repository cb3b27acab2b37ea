/**
 * Bad input: every public service function rejects malformed ids, Base64, codes, lengths and oversized data
 * with OffcodeError ERR0024 naming the field, before any database or crypto work; nothing is written.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedDevice } from '../../test/device.js';
import { activateDevice, createApp, makeServer, paymentData } from '../../test/harness.js';
import { type OpenedStorage, storageFactories } from '../../test/storages.js';
import { OffcodeError } from '../errors.js';
import type { OffcodeServer } from '../server.js';
import type { Storage } from '../storage/types.js';

const TABLES = [
  'oc_application',
  'oc_application_version',
  'oc_master_keypair',
  'oc_activation',
  'oc_activation_history',
  'oc_auth_audit',
  'oc_offline_payload',
];

/** A fingerprint of every row of every table: any write changes it. */
async function fingerprint(storage: Storage): Promise<string> {
  const parts: string[] = [];
  for (const t of TABLES) {
    const r = await storage.query<{ f: string | null }>(
      `SELECT md5(string_agg(x::text, '|' ORDER BY x::text)) AS f FROM ${t} x`,
    );
    parts.push(`${t}:${r.rows[0]!.f ?? ''}`);
  }
  return parts.join(',');
}

const NONCE = 'AD8bOO0Df73kNaIGb3Vmpg==';
const BAD_UUID = [
  '',
  'nope',
  '5ff1b1ed-a3cc-45a3-8ab0-ed60950312b',
  '5ff1b1ed-a3cc-45a3-8ab0-ed60950312b6 ',
  '{5ff1b1ed-a3cc-45a3-8ab0-ed60950312b6}',
  42,
];
const BAD_B64 = ['AB==', 'AAAA AAAA', 'AA-_', 'AAA', '====', 'AAAA\n', '★'];

/** U+202A..U+202E (embeddings, overrides) and U+2066..U+2069 (isolates). */
const BIDI_CONTROLS = [...'\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069'];

/** `data` with `ch` inserted in the middle of line `line` (0-based; the flags line may be empty). */
function withBidi(data: string, line: number, ch: string): string {
  const lines = data.split('\n');
  const text = lines[line] ?? '';
  lines[line] = `${text.slice(0, text.length >> 1)}${ch}${text.slice(text.length >> 1)}`;
  return lines.join('\n');
}

interface Case {
  name: string;
  field: string;
  call: () => Promise<unknown>;
}

describe.each(storageFactories)('bad input on $name', (factory) => {
  let opened: OpenedStorage;
  let server: OffcodeServer;
  let app: string;
  let v3: SimulatedDevice;
  let v4: SimulatedDevice;
  let verifyBase: Record<3 | 4, Record<string, unknown>>;
  let activationCode: string;

  beforeAll(async () => {
    opened = await factory.open();
    ({ server } = await makeServer(opened.storage, { OFFCODE_PAYLOAD_REGISTRY: 'off' }));
    app = await createApp(server);
    v3 = await activateDevice(server, app, 3);
    v4 = await activateDevice(server, app, 4);
    activationCode = (await server.activations.init({ userId: 'u', applicationId: app })).activationCode;
    const base = async (d: SimulatedDevice) => {
      const created = await server.offline.createPersonalized(d.protocol, {
        activationId: d.activationId,
        data: paymentData(),
      });
      const payload = d.readPayload(created.offlineData);
      return d.verifyRequest(payload, d.computeCode(payload));
    };
    verifyBase = { 3: await base(v3), 4: await base(v4) };
  });
  afterAll(async () => {
    await opened?.cleanup();
  });

  function cases(): Case[] {
    const out: Case[] = [];
    const add = (name: string, field: string, call: () => Promise<unknown>) =>
      out.push({ name, field, call });
    const id = () => v3.activationId;
    for (const bad of BAD_UUID) {
      for (const m of ['commit', 'status', 'block', 'unblock', 'remove', 'history'] as const) {
        add(`activations.${m} activationId=${JSON.stringify(bad)}`, 'activationId', () =>
          server.activations[m]({ activationId: bad }),
        );
      }
      add(`createPersonalized activationId=${JSON.stringify(bad)}`, 'activationId', () =>
        server.offline.createPersonalized(3, { activationId: bad, data: 'x' }),
      );
      add(`verify activationId=${JSON.stringify(bad)}`, 'activationId', () =>
        server.offline.verify(3, { ...verifyBase[3], activationId: bad }),
      );
      add(`audit.list activationId=${JSON.stringify(bad)}`, 'activationId', () =>
        server.audit.list({ activationId: bad }),
      );
    }
    const longName = 'n'.repeat(256);
    for (const bad of ['', longName, 'tab\there', 'del\u007f', 'lone\ud800', 7, ['a']]) {
      const label = JSON.stringify(bad).slice(0, 20);
      add(`applications.create applicationId=${label}`, 'applicationId', () =>
        server.applications.create({ applicationId: bad }),
      );
      add(`applications.detail applicationId=${label}`, 'applicationId', () =>
        server.applications.detail({ applicationId: bad }),
      );
      add(`applications.createVersion applicationVersionId=${label}`, 'applicationVersionId', () =>
        server.applications.createVersion({ applicationId: app, applicationVersionId: bad }),
      );
      add(`applications.rotateMasterKeys applicationId=${label}`, 'applicationId', () =>
        server.applications.rotateMasterKeys({ applicationId: bad }),
      );
      add(`activations.init userId=${label}`, 'userId', () =>
        server.activations.init({ userId: bad, applicationId: app }),
      );
      add(`activations.block reason=${label}`, 'reason', () =>
        server.activations.block({ activationId: id(), reason: bad }),
      );
      add(`activations.commit externalUserId=${label}`, 'externalUserId', () =>
        server.activations.commit({ activationId: id(), externalUserId: bad }),
      );
      add(`createNonPersonalized applicationId=${label}`, 'applicationId', () =>
        server.offline.createNonPersonalized(3, { applicationId: bad, data: 'x' }),
      );
      add(`audit.list userId=${label}`, 'userId', () => server.audit.list({ userId: bad }));
    }
    add('applications.create roles oversized', 'applicationRoles', () =>
      server.applications.create({
        applicationId: 'x-roles',
        applicationRoles: Array.from({ length: 65 }, (_, i) => `R${i}`),
      }),
    );
    add('applications.create commitOnKeyExchange', 'commitOnKeyExchange', () =>
      server.applications.create({ applicationId: 'x-commit', commitOnKeyExchange: 'yes' }),
    );
    add('activations.init flags oversized', 'flags', () =>
      server.activations.init({
        userId: 'u',
        applicationId: app,
        flags: Array.from({ length: 33 }, (_, i) => `F${i}`),
      }),
    );
    add('activations.init maxFailureCount 0', 'maxFailureCount', () =>
      server.activations.init({ userId: 'u', applicationId: app, maxFailureCount: 0 }),
    );
    add('activations.init maxFailureCount 65', 'maxFailureCount', () =>
      server.activations.init({ userId: 'u', applicationId: app, maxFailureCount: '65' }),
    );
    add('activations.init expiry', 'timestampActivationExpire', () =>
      server.activations.init({ userId: 'u', applicationId: app, timestampActivationExpire: 'soon' }),
    );
    add('activations.init commitPhase', 'commitPhase', () =>
      server.activations.init({ userId: 'u', applicationId: app, commitPhase: 'NOW' }),
    );
    add('activations.init activationOtp', 'activationOtp', () =>
      server.activations.init({ userId: 'u', applicationId: app, activationOtp: '1234' }),
    );
    const exchange = (extra: Record<string, unknown>) => () =>
      server.activations.exchange({
        activationCode,
        protocolVersion: 3,
        devicePublicKey: v3.exchangeRequest('x').devicePublicKey,
        ...extra,
      });
    for (const bad of [
      '',
      'AAAAA-AAAAA-AAAAA-AAAAB',
      'AAAAA-AAAAA-AAAAA-AAAA',
      'AAAAAAAAAAAAAAAAAAAAAAA',
      'AAAAA-AAAAA-AAAAA-AAAA1',
      5,
    ]) {
      add(
        `exchange activationCode=${JSON.stringify(bad)}`,
        'activationCode',
        exchange({ activationCode: bad }),
      );
    }
    for (const bad of [2, 5, '3.0', null])
      add(`exchange protocolVersion=${bad}`, 'protocolVersion', exchange({ protocolVersion: bad }));
    for (const bad of [...BAD_B64, '', 'A'.repeat(400)]) {
      add(
        `exchange devicePublicKey=${JSON.stringify(bad).slice(0, 12)}`,
        'devicePublicKey',
        exchange({ devicePublicKey: bad }),
      );
    }
    add('exchange enableBiometry', 'enableBiometry', exchange({ enableBiometry: 1 }));
    add('exchange activationName', 'activationName', exchange({ activationName: '' }));

    for (const version of [3, 4] as const) {
      const codeField = version === 3 ? 'signature' : 'authenticationCode';
      const verify = (extra: Record<string, unknown>) => () =>
        server.offline.verify(version, { ...verifyBase[version], ...extra });
      for (const bad of [
        '',
        '123-12345678',
        '12345678_12345678',
        '123456789-12345678',
        '1234-5678-9012-3456-7890',
        ' 12345678-12345678',
        'abcd-efgh',
        12345678,
      ]) {
        add(
          `V${version} verify ${codeField}=${JSON.stringify(bad)}`,
          codeField,
          verify({ [codeField]: bad }),
        );
      }
      for (const bad of [
        '',
        'POST',
        'POST&a&b',
        'post&&&',
        `POST&&${NONCE}&AB==`,
        `POST&&AAA&`,
        `POST&L29w&${NONCE}&x y`,
        'x'.repeat(5000),
      ]) {
        add(`V${version} verify data=${JSON.stringify(bad).slice(0, 24)}`, 'data', verify({ data: bad }));
      }
      for (const bad of [3, 9, '8.0', 'eight', -1])
        add(`V${version} verify componentLength=${bad}`, 'componentLength', verify({ componentLength: bad }));
      add(`V${version} verify allowBiometry`, 'allowBiometry', verify({ allowBiometry: 'yes' }));
      add(
        `V${version} verify biometry alias conflict`,
        'biometryAllowed',
        verify({ allowBiometry: true, biometryAllowed: false }),
      );
      for (const bad of [...BAD_B64, '', 'A'.repeat(88)]) {
        add(
          `V${version} verify seed=${JSON.stringify(bad).slice(0, 12)}`,
          'proximityCheck.seed',
          verify({ proximityCheck: { seed: bad, stepLength: 30 } }),
        );
      }
      for (const bad of [0, 3601, '30s']) {
        add(
          `V${version} verify stepLength=${bad}`,
          'proximityCheck.stepLength',
          verify({ proximityCheck: { seed: NONCE, stepLength: bad } }),
        );
      }
      for (const bad of [-1, 5, '1.5']) {
        add(
          `V${version} verify stepCount=${bad}`,
          'proximityCheck.stepCount',
          verify({ proximityCheck: { seed: NONCE, stepLength: 30, stepCount: bad } }),
        );
      }
      add(
        `V${version} verify proximityCheck not an object`,
        'proximityCheck',
        verify({ proximityCheck: 'yes' }),
      );
      add(`V${version} verify missing code`, codeField, () => {
        const { [codeField]: _dropped, ...rest } = verifyBase[version];
        return server.offline.verify(version, rest);
      });

      const create = (extra: Record<string, unknown>) => () =>
        server.offline.createPersonalized(version, {
          activationId: (version === 3 ? v3 : v4).activationId,
          data: 'x',
          ...extra,
        });
      for (const bad of ['', 'a\rb', 'a\u0000b', 'a\udc00b', 'é'.repeat(1025), 5]) {
        add(
          `V${version} createPersonalized data=${JSON.stringify(bad).slice(0, 12)}`,
          'data',
          create({ data: bad }),
        );
        add(`V${version} createNonPersonalized data=${JSON.stringify(bad).slice(0, 12)}`, 'data', () =>
          server.offline.createNonPersonalized(version, { applicationId: app, data: bad }),
        );
      }
      for (const bad of ['AAAA', 'AD8bOO0Df73kNaIGb3Vmpg=', 'AD8bOO0Df73kNaIGb3Vmph==', `${NONCE} `, 16]) {
        add(`V${version} createPersonalized nonce=${JSON.stringify(bad)}`, 'nonce', create({ nonce: bad }));
      }
      add(
        `V${version} createPersonalized seed`,
        'proximityCheck.seed',
        create({ proximityCheck: { seed: 'AB==', stepLength: 30 } }),
      );
      add(
        `V${version} createPersonalized stepLength`,
        'proximityCheck.stepLength',
        create({ proximityCheck: { seed: NONCE, stepLength: 0 } }),
      );
      add(
        `V${version} createPersonalized stepLength missing`,
        'proximityCheck.stepLength',
        create({ proximityCheck: { seed: NONCE } }),
      );
      add(`V${version} createNonPersonalized nonce`, 'nonce', () =>
        server.offline.createNonPersonalized(version, { applicationId: app, data: 'x', nonce: NONCE }),
      );
      add(`V${version} createNonPersonalized proximityCheck`, 'proximityCheck', () =>
        server.offline.createNonPersonalized(version, {
          applicationId: app,
          data: 'x',
          proximityCheck: { seed: NONCE, stepLength: 30 },
        }),
      );
    }
    for (const bad of [2, 5, '3', null]) {
      add(`verify version=${bad}`, 'version', () => server.offline.verify(bad as 3, verifyBase[3]));
      add(`createPersonalized version=${bad}`, 'version', () =>
        server.offline.createPersonalized(bad as 3, { activationId: v3.activationId, data: 'x' }),
      );
      add(`createNonPersonalized version=${bad}`, 'version', () =>
        server.offline.createNonPersonalized(bad as 3, { applicationId: app, data: 'x' }),
      );
    }
    add('audit.list neither user nor activation', 'userId', () => server.audit.list({}));
    add('audit.list limit 0', 'limit', () => server.audit.list({ userId: 'u', limit: 0 }));
    add('audit.list limit 1001', 'limit', () => server.audit.list({ userId: 'u', limit: 1001 }));
    add('audit.list timestampFrom', 'timestampFrom', () =>
      server.audit.list({ userId: 'u', timestampFrom: 'yesterday' }),
    );
    add('audit.list beforeId', 'beforeId', () => server.audit.list({ userId: 'u', beforeId: 0 }));
    add('request not an object', 'requestObject', () => server.activations.status('activationId'));
    // Bidirectional controls anywhere in the displayed payload text (title, message, operation data …).
    for (const ch of BIDI_CONTROLS) {
      for (let line = 0; line < 5; line++) {
        const data = withBidi(paymentData(), line, ch);
        const label = `U+${ch.codePointAt(0)!.toString(16).toUpperCase()} line ${line + 1}`;
        for (const version of [3, 4] as const) {
          const device = version === 3 ? v3 : v4;
          add(`createPersonalized V${version} data ${label}`, 'data', () =>
            server.offline.createPersonalized(version, { activationId: device.activationId, data }),
          );
          add(`createNonPersonalized V${version} data ${label}`, 'data', () =>
            server.offline.createNonPersonalized(version, { applicationId: app, data }),
          );
        }
      }
    }
    add('request array', 'requestObject', () => server.applications.list([]));
    add('__proto__ key', '__proto__', () => server.system.status(JSON.parse('{"__proto__": 1}')));
    return out;
  }

  it('rejects every malformed field with ERR0024 naming it, and writes nothing', async () => {
    const all = cases();
    expect(all.length).toBeGreaterThan(250);
    const before = await fingerprint(opened.storage);
    const failures: string[] = [];
    for (const c of all) {
      try {
        await c.call();
        failures.push(`${c.name}: accepted`);
      } catch (e) {
        if (!(e instanceof OffcodeError)) failures.push(`${c.name}: untyped ${String(e)}`);
        else if (e.code !== 'ERR0024' || e.kind !== 'input') failures.push(`${c.name}: ${e.code}`);
        else if (e.field !== c.field) failures.push(`${c.name}: field ${e.field}, expected ${c.field}`);
        else if (!e.message.startsWith(`${c.field} - `)) failures.push(`${c.name}: message ${e.message}`);
      }
    }
    expect(failures).toEqual([]);
    expect(await fingerprint(opened.storage)).toBe(before);
  });

  it('never echoes secret values in messages', async () => {
    const seed = 'c2VjcmV0c2VlZA';
    const code = '1234567-1234567';
    const e = (await server.offline
      .verify(3, { ...verifyBase[3], signature: code, proximityCheck: { seed, stepLength: 30 } })
      .catch((x: unknown) => x)) as OffcodeError;
    expect(e.code).toBe('ERR0024');
    expect(e.message).not.toContain(seed);
    expect(e.message).not.toContain(code);
    const x = (await server.activations
      .exchange({ activationCode: 'ABCDE-FGHIJ-KLMNO-PQRSU', protocolVersion: 3, devicePublicKey: 'AA==' })
      .catch((y: unknown) => y)) as OffcodeError;
    expect(x.message).not.toContain('ABCDE');
  });

  it('bidi controls: the message names the line; OFFCODE_ALLOW_BIDI_CONTROLS=true accepts them; property over positions', async () => {
    const e = (await server.offline
      .createPersonalized(4, { activationId: v4.activationId, data: withBidi(paymentData(), 1, '\u202E') })
      .catch((x: unknown) => x)) as OffcodeError;
    expect(e.message).toBe(
      'data - line 2 (title) must not contain bidirectional control characters U+202A..U+202E or U+2066..U+2069',
    );
    // Neighbours that are not bidi controls stay accepted (LRM/RLM marks, U+2065, U+202F).
    for (const ch of ['\u200E', '\u200F', '\u2065', '\u202F', '\u2029']) {
      await server.offline.createPersonalized(3, {
        activationId: v3.activationId,
        data: withBidi(paymentData(), 2, ch),
      });
    }
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 40 }),
        fc.nat(),
        fc.constantFrom(...BIDI_CONTROLS),
        async (text, at, ch) => {
          const base = paymentData();
          const i = at % (base.length + 1);
          const data = `${base.slice(0, i)}${text.replaceAll('\r', '').replaceAll('\u0000', '')}${ch}${base.slice(i)}`;
          const err = (await server.offline
            .createNonPersonalized(3, { applicationId: app, data })
            .catch((x: unknown) => x)) as OffcodeError;
          expect(err).toBeInstanceOf(OffcodeError);
          expect(err.code).toBe('ERR0024');
          expect(err.field).toBe('data');
          expect(err.message).toContain('bidirectional control characters');
        },
      ),
      { numRuns: 100 },
    );
    const { server: lenient } = await makeServer(opened.storage, {
      OFFCODE_PAYLOAD_REGISTRY: 'off',
      OFFCODE_ALLOW_BIDI_CONTROLS: 'true',
    });
    try {
      const data = withBidi(paymentData(), 2, '\u2067');
      const created = await lenient.offline.createPersonalized(3, { activationId: v3.activationId, data });
      expect(created.offlineData).toContain('\u2067');
      const np = await lenient.offline.createNonPersonalized(4, { applicationId: app, data });
      expect(np.offlineData).toContain('\u2067');
    } finally {
      await lenient.close();
    }
  });

  it('fuzz: verify and create throw only OffcodeError, and ERR0024 writes nothing (fast-check)', async () => {
    const value = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.base64String(),
      fc.stringMatching(/^[0-9]{4,8}-[0-9]{4,8}$/),
      fc.array(fc.string(), { maxLength: 3 }),
      fc.record({ seed: fc.base64String(), stepLength: fc.integer(), stepCount: fc.integer() }),
    );
    const field = fc.constantFrom(
      'activationId',
      'data',
      'signature',
      'authenticationCode',
      'componentLength',
      'allowBiometry',
      'proximityCheck',
      'nonce',
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(3 as const, 4 as const),
        fc.boolean(),
        fc.dictionary(field, value, { maxKeys: 3 }),
        async (version, create, overrides) => {
          const before = await fingerprint(opened.storage);
          const device = version === 3 ? v3 : v4;
          const request = create
            ? { activationId: device.activationId, data: 'x', ...overrides }
            : { ...verifyBase[version], ...overrides };
          try {
            if (create) await server.offline.createPersonalized(version, request);
            else await server.offline.verifyOutcome(version, request);
          } catch (e) {
            expect(e).toBeInstanceOf(OffcodeError);
            if ((e as OffcodeError).code === 'ERR0024')
              expect(await fingerprint(opened.storage)).toBe(before);
            else expect(['ERR0008', 'ERR0009', 'ERR0047']).toContain((e as OffcodeError).code);
          }
          // Keep the devices usable: a fuzzed valid-but-wrong code may have counted a failure.
          await server.activations.unblock({ activationId: device.activationId }).catch(() => undefined);
        },
      ),
      { numRuns: 60 },
    );
  });
});
