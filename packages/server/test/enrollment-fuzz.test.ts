/**
 * Properties of the four enrollment entry points on PGlite: any body and header values (arbitrary bytes,
 * arbitrary JSON, valid requests with one byte changed or one member replaced) give either the valid answer or
 * an EnrollmentError with a RESTful-integration code, never another error, and a refused request writes
 * nothing.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENROLLMENT_ERRORS, EnrollmentError } from '../src/enrollment/errors.js';
import type { OffcodeServer } from '../src/server.js';
import { deviceWithKey, enrollmentSnapshot, freshApplication, utf8 } from './enrollment-fixtures.js';
import { makeServer, TestClock, uniqueName } from './harness.js';
import type { AppCredentials, EnrollmentCall } from './pa3-device.js';
import { type OpenedStorage, pgliteFactory } from './storages.js';

const RUNS = 150;
type Entry = 'keystoreCreate' | 'activationCreate' | 'activationStatus' | 'activationRemove';
const ENTRIES: Entry[] = ['keystoreCreate', 'activationCreate', 'activationStatus', 'activationRemove'];

describe('enrollment entry points under arbitrary input (PGlite)', () => {
  let opened: OpenedStorage;
  let server: OffcodeServer;
  const clock = new TestClock();
  let app: { name: string; credentials: AppCredentials };
  let valid: Record<Entry, EnrollmentCall>;
  let activationId: string;

  beforeAll(async () => {
    opened = await pgliteFactory.open();
    ({ server } = await makeServer(opened.storage, {}, { clock }));
    app = await freshApplication(server);
    const created = await server.activations.init({ userId: uniqueName('u'), applicationId: app.name });
    activationId = created.activationId;
    const { device, key } = await deviceWithKey(server, app.credentials);
    const create = device.activationCreate(key, created.activationCode, { timestamp: clock.t });
    // An enrolled twin gives the status and remove templates; the CREATED activation stays for create.
    const twin = await server.activations.init({ userId: uniqueName('u'), applicationId: app.name });
    const enrolled = await deviceWithKey(server, app.credentials);
    const call = enrolled.device.activationCreate(enrolled.key, twin.activationCode, { timestamp: clock.t });
    enrolled.device.completeActivation(await server.enrollment.activationCreate(call), call.envelopes);
    valid = {
      keystoreCreate: device.keystoreRequest(),
      activationCreate: create,
      activationStatus: enrolled.device.statusRequest().call,
      activationRemove: enrolled.device.removeRequest(),
    };
  });
  afterAll(async () => {
    await opened?.cleanup();
  });

  async function check(entry: Entry, call: EnrollmentCall): Promise<void> {
    const before = await enrollmentSnapshot(opened.storage, activationId);
    try {
      await server.enrollment[entry](call);
      return; // some mutations keep the request valid (an unknown header key, a member order)
    } catch (error) {
      expect(error).toBeInstanceOf(EnrollmentError);
      const e = error as EnrollmentError;
      expect(Object.keys(ENROLLMENT_ERRORS)).toContain(e.code);
      expect(e.message).not.toMatch(/\n/);
      if (e.reason === 'signature') {
        // A signature that does not match costs one attempt, audited, as an offline code does.
        expect((await enrollmentSnapshot(opened.storage, activationId)).audit).toBe(before.audit + 1);
        return;
      }
    }
    expect(await enrollmentSnapshot(opened.storage, activationId)).toEqual(before);
  }

  const headerValue = fc.oneof(
    fc.constant(undefined),
    fc.string({ maxLength: 80 }),
    fc.constantFrom(
      'PowerAuth version="3.3"',
      'PowerAuth pa_version="3.3"',
      'PowerAuth ',
      'PowerAuth version="3.3", , application_key="x"',
    ),
  );

  it.each(ENTRIES)('%s: arbitrary bytes and JSON bodies, arbitrary headers', async (entry) => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.json({ maxDepth: 3 }).map(utf8)),
        headerValue,
        headerValue,
        async (body, encryption, authorization) => {
          await check(entry, { body, headers: { encryption, authorization } });
        },
      ),
      { numRuns: RUNS },
    );
  });

  it.each(ENTRIES)(
    '%s: a valid request with one byte changed or one header character changed',
    async (entry) => {
      const template = valid[entry];
      await fc.assert(
        fc.asyncProperty(
          fc.nat(),
          fc.integer({ min: 1, max: 255 }),
          fc.boolean(),
          async (at, xor, inHeader) => {
            const body = Uint8Array.from(template.body);
            const headers = { ...template.headers };
            const name = entry === 'activationRemove' ? 'authorization' : 'encryption';
            const header = headers[name];
            if (inHeader && header) {
              const i = at % header.length;
              headers[name] =
                header.slice(0, i) +
                String.fromCharCode((header.charCodeAt(i) ^ xor) & 0x7f) +
                header.slice(i + 1);
            } else if (body.length > 0) {
              body[at % body.length]! ^= xor;
            }
            await check(entry, { body, headers });
          },
        ),
        { numRuns: RUNS },
      );
    },
  );
});
