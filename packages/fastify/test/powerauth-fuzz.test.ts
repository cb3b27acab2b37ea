/**
 * Fuzz of the PowerAuth device API over real HTTP (PGlite): for every /pa/v3 route, arbitrary bodies (random
 * bytes, random JSON, recorded-shape requests of a real device with one byte flipped or one member replaced by
 * another type, a huge string, an unknown temporary key, or removed), arbitrary content types and arbitrary
 * `X-PowerAuth-Encryption` / `X-PowerAuth-Authorization` values (random, the valid one with one character
 * changed, over-long). Property: 400 or 401 with the RESTful-integration envelope and a JSON content type,
 * never anything else, and nothing written. Documented exceptions, counted: a mutation that leaves the
 * request equal after JSON parsing (`\u003D` for `\u003d`) is still valid and answered 200; status is a read,
 * so any well-formed status request (another challenge, an unknown activation) is answered 200 and writes
 * nothing; a wrong signature on remove counts a failed attempt (audit row, and blocking at the limit), as an
 * offline code does.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnrollmentCall } from './powerauth-device.js';
import { enrollmentSnapshot } from './powerauth-fixtures.js';
import {
  type Api,
  BODY_LIMIT,
  deviceWithKey,
  expectRefusal,
  freshApplication,
  post,
  startApi,
  wireHeaders,
} from './powerauth-http.js';

const RUNS = 150;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ROUTES = ['keystore/create', 'activation/create', 'activation/status', 'activation/remove'] as const;
type Route = (typeof ROUTES)[number];

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');

/** Header values a client can send: printable ASCII and Latin-1, up to `max` characters. */
const headerChars = (max: number) =>
  fc
    .array(
      fc.oneof(fc.integer({ min: 0x21, max: 0x7e }), fc.constant(0x20), fc.integer({ min: 0xa0, max: 0xff })),
      {
        maxLength: max,
      },
    )
    .map((codes) => String.fromCharCode(...codes));

/** One character of `value` changed (xor within 7-bit printable range), or the value itself if empty. */
function changeChar(value: string, at: number, xor: number): string {
  if (value.length === 0) return value;
  const i = at % value.length;
  let code = (value.charCodeAt(i) ^ xor) & 0x7f;
  if (code < 0x20 || code === 0x7f) code = 0x2a;
  return value.slice(0, i) + String.fromCharCode(code) + value.slice(i + 1);
}

/** The paths of every member of a JSON value (for "replace one member"). */
function memberPaths(value: unknown, prefix: string[] = []): string[][] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) => [[...prefix, k], ...memberPaths(v, [...prefix, k])]);
}

function replaceMember(json: unknown, path: string[], replacement: unknown): unknown {
  const copy = structuredClone(json) as Record<string, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  const last = path[path.length - 1]!;
  if (replacement === undefined) delete node[last];
  else node[last] = replacement;
  return copy;
}

describe('/pa/v3 under arbitrary input over HTTP (PGlite)', () => {
  let api: Api;
  let templates: Record<Route, EnrollmentCall>;
  let createdActivationId: string;
  const counts = { requests: 0, stillValid: 0, statusAnswered: 0, failedAttemptsCounted: 0 };

  beforeAll(async () => {
    api = await startApi('pglite');
    const app = await freshApplication(api.server);
    const init = () => api.server.activations.init({ userId: `u-${Math.random()}`, applicationId: app.name });
    // A CREATED activation for the create template; an enrolled twin gives the status and remove templates.
    const created = await init();
    createdActivationId = created.activationId;
    const { device, key } = await deviceWithKey(api.base, app.credentials);
    const create = device.activationCreate(key, created.activationCode, { timestamp: api.clock.t });
    const twin = await init();
    const enrolled = await deviceWithKey(api.base, app.credentials);
    const call = enrolled.device.activationCreate(enrolled.key, twin.activationCode, {
      timestamp: api.clock.t,
    });
    const answer = await post(api.base, '/pa/v3/activation/create', call.body, wireHeaders(call.headers));
    enrolled.device.completeActivation(JSON.parse(answer.text), call.envelopes);
    templates = {
      'keystore/create': device.keystoreRequest(),
      'activation/create': create,
      'activation/status': enrolled.device.statusRequest().call,
      'activation/remove': enrolled.device.removeRequest(),
    };
  });
  afterAll(async () => {
    console.info(`/pa/v3 fuzz: ${JSON.stringify(counts)}`);
    await api?.close();
  });

  /** A body derived from the route's valid request, never byte-identical to it. */
  const mutatedBody = (template: Uint8Array) => {
    const json = JSON.parse(text(template));
    const paths = memberPaths(json);
    const value = fc.oneof(
      fc.constant(undefined),
      fc.jsonValue({ maxDepth: 2 }),
      fc.constantFrom('no-such-temporary-key', '', 'AAAA', '=', null, 0, -1, 1e308, true, [], {}),
      fc.integer({ min: 1, max: 2 * BODY_LIMIT }).map((n) => 'A'.repeat(n)),
    );
    return fc.oneof(
      fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })).map(([at, xor]) => {
        const bytes = Uint8Array.from(template);
        bytes[at % bytes.length]! ^= xor;
        return bytes;
      }),
      paths.length === 0
        ? fc.constant(utf8('{"x":1}'))
        : fc
            .tuple(fc.constantFrom(...paths), value)
            .map(([path, v]) => utf8(JSON.stringify(replaceMember(json, path, v)))),
      fc.integer({ min: 0, max: template.length - 1 }).map((n) => template.slice(0, n)),
    );
  };

  const bodyOf = (template: Uint8Array) =>
    fc.oneof(
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }) },
      { weight: 1, arbitrary: fc.json({ maxDepth: 3 }).map(utf8) },
      { weight: 4, arbitrary: mutatedBody(template) },
    );

  const contentType = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('application/json', 'application/json; charset=UTF-8') },
    {
      weight: 1,
      arbitrary: fc.oneof(
        fc.constantFrom(
          null,
          'text/plain',
          'application/x-www-form-urlencoded',
          'application/json; charset=utf-16',
        ),
        headerChars(40),
      ),
    },
  );

  const headerOf = (valid: string | undefined) =>
    fc.oneof(
      fc.constant(undefined),
      fc.constant(valid),
      headerChars(120),
      fc.constantFrom(
        'PowerAuth version="3.3"',
        'PowerAuth ',
        'PowerAuth version="3.3", , application_key="x"',
      ),
      fc
        .tuple(fc.nat(), fc.integer({ min: 1, max: 127 }))
        .map(([at, xor]) => changeChar(valid ?? '', at, xor)),
      fc.integer({ min: 1025, max: 4000 }).map((n) => `PowerAuth version="3.3" x="${'a'.repeat(n)}"`),
    );

  const snapshot = () => enrollmentSnapshot(api.storage, createdActivationId);

  async function check(
    route: Route,
    body: Uint8Array,
    type: string | null,
    encryption?: string,
    authorization?: string,
  ) {
    counts.requests++;
    const before = await snapshot();
    const answer = await post(api.base, `/pa/v3/${route}`, body, {
      'content-type': type,
      'x-powerauth-encryption': encryption,
      'x-powerauth-authorization': authorization,
    });
    if (answer.status === 200 && route === 'activation/status') {
      // Status is a read: any well-formed request is answered (an unknown activation gets a random blob, as
      // in PowerAuth), and nothing is written.
      const request = JSON.parse(text(body)).requestObject;
      expect(request.activationId).toMatch(UUID);
      expect(Buffer.from(request.challenge, 'base64')).toHaveLength(16);
      expect(JSON.parse(answer.text)).toMatchObject({
        status: 'OK',
        responseObject: { activationId: request.activationId, encryptedStatusBlob: expect.any(String) },
      });
      expect(await snapshot()).toEqual(before);
      counts.statusAnswered++;
      return;
    }
    if (answer.status === 200) {
      // Only a request equal to the valid one after parsing may pass (same JSON, same header spelling rules).
      expect(JSON.parse(text(body))).toEqual(JSON.parse(text(templates[route].body)));
      counts.stillValid++;
      return;
    }
    expectRefusal(answer);
    const after = await snapshot();
    if (route === 'activation/remove' && after.audit > before.audit) {
      // A wrong signature on a real activation costs one attempt (history when it blocks), nothing else.
      expect(after.audit).toBe(before.audit + 1);
      expect({ ...after, audit: 0, history: 0 }).toEqual({ ...before, audit: 0, history: 0 });
      counts.failedAttemptsCounted++;
      return;
    }
    expect(after).toEqual(before);
  }

  it.each(ROUTES)(
    'POST /pa/v3/%s: 400/401 in the envelope for every input, nothing written',
    async (route) => {
      const template = templates[route];
      await fc.assert(
        fc.asyncProperty(
          bodyOf(template.body),
          contentType,
          headerOf(template.headers?.encryption),
          headerOf(template.headers?.authorization),
          async (body, type, encryption, authorization) => {
            await check(route, body, type, encryption, authorization);
          },
        ),
        { numRuns: RUNS },
      );
    },
  );
});
