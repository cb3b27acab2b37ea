/**
 * The demo web application over plain HTTP (forms, redirects, images), without a browser: enrol, operation
 * creation for every kind, QR images (PNG and SVG decode to the exact payload text), code normalisation
 * without a server attempt, every result (VALID, INVALID with remaining attempts, blocked, ALREADY_APPROVED,
 * EXPIRED), the encrypted proximity seed, the demo switched off (the default) and the demo behind the
 * integration credentials (nothing is created, attempted or shown without them).
 */
import { MemoryTokenStore, OffcodeToken } from '@offcode/client';
import { encodeBase64 } from '@offcode/protocol';
import { createOffcodeServer, loadConfigOrThrow } from '@offcode/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TABLES } from '../src/demo/migrations.js';
import { type RunningApi, startApi } from '../src/start.js';
import { attachApi, basicAuth, DEMO_APP, http, ok, startTestApi, UUID_RE } from './harness.js';
import { decodeQrPng, decodeQrSvg } from './qr-decode.js';

const MASTER_KEY = encodeBase64(new Uint8Array(32).fill(7));
let clockOffsetMs = 0;
let api: RunningApi;
let base: string;

beforeAll(async () => {
  api = await startTestApi(
    { OFFCODE_MASTER_KEY: MASTER_KEY },
    { server: { clock: () => Date.now() + clockOffsetMs } },
  );
  base = api.url;
});
afterAll(async () => {
  await api?.close();
});

const unescapeHtml = (s: string): string =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

/** Text of the first element with this data-testid (no nested markup in these elements). */
function testId(html: string, id: string): string | null {
  const m = new RegExp(`data-testid="${id}"[^>]*>([^<]*)<`).exec(html);
  return m ? unescapeHtml(m[1]!).trim() : null;
}

/** The machine value (`data-value`) of the first element with this data-testid; the text says it in words. */
function dataValue(html: string, id: string): string | null {
  const m = new RegExp(`data-testid="${id}"[^>]*data-value="([^"]*)"`).exec(html);
  return m ? unescapeHtml(m[1]!) : null;
}

const form = (fields: Record<string, string>) => ({
  raw: new URLSearchParams(fields).toString(),
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
});

async function enrolAndActivate(userId: string, protocol: 3 | 4) {
  const r = await http(base, '/demo/enrol', { ...form({ userId, protocolVersion: String(protocol) }) });
  expect(r.status).toBe(200);
  const activationCode = testId(r.text, 'activation-code')!;
  expect(activationCode).toMatch(/^[A-Z2-7]{5}(-[A-Z2-7]{5}){3}$/);
  expect(testId(r.text, 'activation-id')).toMatch(UUID_RE);
  const qrText = testId(r.text, 'activation-qr-text')!;
  expect(qrText.startsWith(`${activationCode}#`)).toBe(true);
  expect(r.text).toContain(`href="/demo/token?code=${encodeURIComponent(qrText)}&amp;protocol=${protocol}"`);
  const token = new OffcodeToken({ store: new MemoryTokenStore() });
  const status = await token.activate({
    serverUrl: base,
    applicationId: DEMO_APP,
    activationCode,
    pin: '1234',
    protocol,
    enableBiometry: true,
  });
  expect(status.activationStatus).toBe('ACTIVE');
  return { token, activationId: status.activationId };
}

async function createOperation(
  fields: Record<string, string>,
): Promise<{ id: string; html: string; qrText: string }> {
  const r = await http(
    base,
    '/demo/operation',
    form({
      amount: '100',
      currency: 'EUR',
      iban: 'CZ2730300000001165254011',
      note: '',
      kind: 'personalized',
      template: 'payment',
      ...fields,
    }),
  );
  expect(r.status, r.text).toBe(303);
  const location = r.headers.get('location')!;
  const id = /^\/demo\/operation\/([0-9a-f-]{36})/.exec(location)![1]!;
  const page = await http(base, location, { method: 'GET' });
  expect(page.status).toBe(200);
  return { id, html: page.text, qrText: testId(page.text, 'qr-text')! };
}

async function submit(id: string, code: string, at = base): Promise<{ status: number; html: string }> {
  const r = await http(at, `/demo/operation/${id}/verify`, form({ code }));
  if (r.status !== 303) return { status: r.status, html: r.text };
  expect(r.headers.get('location')).toBe(`/demo/operation/${id}/result`);
  const page = await http(at, `/demo/operation/${id}/result`, { method: 'GET' });
  return { status: page.status, html: page.text };
}

describe('pages', () => {
  it('/ redirects to /demo, which names the demo application; forms carry their test ids', async () => {
    const root = await http(base, '/', { method: 'GET' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/demo');
    const home = await http(base, '/demo', { method: 'GET' });
    expect(home.headers.get('content-type')).toContain('text/html');
    expect(testId(home.text, 'demo-application')).toBe(DEMO_APP);
    const newOp = await http(base, '/demo/operation/new', { method: 'GET' });
    for (const id of [
      'user-id-input',
      'kind-select',
      'amount-input',
      'currency-input',
      'iban-input',
      'note-input',
      'allow-biometry',
      'proximity',
      'create-operation',
    ]) {
      expect(newOp.text).toContain(`data-testid="${id}"`);
    }
  });

  it('token page: prefilled from the query, its bundle is served', async () => {
    const page = await http(base, '/demo/token?code=ABCDE-FGHIJ-KLMNO-PQRST&protocol=3', { method: 'GET' });
    expect(page.text).toContain('data-testid="activation-code-input" value="ABCDE-FGHIJ-KLMNO-PQRST"');
    expect(page.text).toContain('<option value="3" selected>');
    expect(page.text).toContain(`data-application="${DEMO_APP}"`);
    // The demo application's PowerAuth credentials, which a real app has compiled in (the page says so).
    const detail = await ok(base, '/rest/v3/application/detail', { applicationId: DEMO_APP });
    expect(page.text).toContain(`data-application-key="${detail.versions[0].applicationKey}"`);
    expect(page.text).toContain(`data-application-secret="${detail.versions[0].applicationSecret}"`);
    expect(page.text).toContain(`data-master-key-p256="${detail.masterPublicKeys.EC_P256}"`);
    expect(page.text).toContain(`data-master-key-p384="${detail.masterPublicKeys.EC_P384}"`);
    expect(page.text).toContain('has the application key, secret and master public key compiled in');
    for (const id of [
      'activation-qr-file',
      'refresh-status',
      'token-status-checked',
      'remove-pin',
      'remove-button',
      'message',
      'protocol-select',
      'pin-input',
      'enable-biometry',
      'activate-button',
      'token-status',
      'token-activation-id',
      'qr-input',
      'qr-file',
      'operation-title',
      'operation-message',
      'operation-fields',
      'qr-signature-status',
      'approve-pin',
      'approve-button',
      'approve-biometry',
      'code',
      'error',
      'reset-button',
    ]) {
      expect(page.text, id).toContain(`data-testid="${id}"`);
    }
    const bundle = await http(base, '/demo/assets/token.js', { method: 'GET' });
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toContain('text/javascript');
    expect(bundle.text.length).toBeGreaterThan(10_000);
    // HTML-escaped everywhere: a hostile query value stays text.
    const hostile = await http(base, '/demo/token?code=%22%3E%3Cscript%3Ealert(1)%3C/script%3E', {
      method: 'GET',
    });
    expect(hostile.text).not.toContain('<script>alert(1)');
  });

  it('every page links the favicon; it and the local-time script are served', async () => {
    const home = await http(base, '/demo', { method: 'GET' });
    expect(home.text).toContain('<link rel="icon" type="image/svg+xml" href="/demo/assets/favicon.svg">');
    expect(home.text).toContain('<script type="module" src="/demo/assets/local-time.js"></script>');
    const icon = await http(base, '/demo/assets/favicon.svg', { method: 'GET' });
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toContain('image/svg+xml');
    expect(icon.text).toMatch(/^<svg [^>]*viewBox="0 0 64 64"/);
    const script = await http(base, '/demo/assets/local-time.js', { method: 'GET' });
    expect(script.headers.get('content-type')).toContain('text/javascript');
    expect(script.text).toContain('Intl.DateTimeFormat');
  });

  it('unknown or malformed operation and activation ids are 404 pages', async () => {
    for (const path of [
      '/demo/activation/nope',
      '/demo/activation/00000000-0000-4000-8000-000000000000',
      '/demo/operation/00000000-0000-4000-8000-000000000000',
      '/demo/operation/nope',
      '/demo/operation/nope/qr.png',
      '/demo/operation/nope.json',
    ]) {
      expect((await http(base, path, { method: 'GET' })).status, path).toBe(404);
    }
  });
});

/** A `data-*` attribute of the token page's body (the demo configuration the page script reads). */
const bodyData = (html: string, name: string): string =>
  unescapeHtml(new RegExp(`<body[^>]* data-${name}="([^"]*)"`).exec(html)![1]!);

describe('operation flow', () => {
  it('V3 through PowerAuth with what the pages carry: activation QR + token page config; bank page ACTIVE, then REMOVED', async () => {
    const enrolled = await http(base, '/demo/enrol', form({ userId: 'paula', protocolVersion: '3' }));
    const qrText = testId(enrolled.text, 'activation-qr-text')!;
    const activationId = testId(enrolled.text, 'activation-id')!;
    const dataUri = /data-testid="activation-qr"[^>]*src="data:image\/svg\+xml;base64,([^"]+)"/.exec(
      enrolled.text,
    )![1]!;
    expect(decodeQrSvg(Buffer.from(dataUri, 'base64').toString('utf8'))).toBe(qrText);
    const bank = async () => (await http(base, `/demo/activation/${activationId}`, { method: 'GET' })).text;
    expect(dataValue(await bank(), 'activation-status')).toBe('CREATED');

    const tokenHtml = (await http(base, '/demo/token', { method: 'GET' })).text;
    const token = new OffcodeToken({ store: new MemoryTokenStore() });
    const status = await token.activate({
      mechanism: 'powerauth',
      serverUrl: base,
      applicationId: bodyData(tokenHtml, 'application'),
      applicationKey: bodyData(tokenHtml, 'application-key'),
      applicationSecret: bodyData(tokenHtml, 'application-secret'),
      masterPublicKey: bodyData(tokenHtml, 'master-key-p256'),
      activationCode: qrText,
      pin: '1234',
      protocol: 3,
    });
    expect(status).toMatchObject({ activationId, activationStatus: 'ACTIVE', mechanism: 'powerauth' });
    const active = await bank();
    expect(dataValue(active, 'activation-status')).toBe('ACTIVE');
    expect(testId(active, 'activation-status')).toBe('Active');

    const op = await createOperation({ userId: 'paula' });
    const { display } = await token.approve(op.qrText, { pin: '1234' });
    expect(dataValue((await submit(op.id, display)).html, 'result')).toBe('VALID');
    expect((await token.status({ remote: true })).powerAuth?.counterSync).toBe('in-sync');
    await token.remove({ pin: '1234' });
    const removed = await bank();
    expect(dataValue(removed, 'activation-status')).toBe('REMOVED');
    expect(testId(removed, 'activation-note')).toBe(
      'The token was removed: the bank no longer accepts its codes.',
    );
  });

  it('personalized V4 payment: QR images decode to the text; typed code normalised; VALID, then ALREADY_APPROVED', async () => {
    const { token, activationId } = await enrolAndActivate('alice', 4);
    const op = await createOperation({ userId: 'alice', note: 'Příliš žluťoučký kůň <b>' });
    expect(testId(op.html, 'operation-message')).toBe('Pay 100 EUR to CZ2730300000001165254011');
    expect(op.qrText).toContain('Příliš žluťoučký kůň <b>');
    const png = await fetch(`${base}/demo/operation/${op.id}/qr.png`);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(png.headers.get('cache-control')).toBe('no-store');
    const decoded = decodeQrPng(new Uint8Array(await png.arrayBuffer()));
    expect(decoded.text).toBe(op.qrText);
    const svg = await fetch(`${base}/demo/operation/${op.id}/qr.svg`);
    expect(svg.headers.get('content-type')).toContain('image/svg+xml');
    expect(decodeQrSvg(await svg.text())).toBe(op.qrText);

    const json = (
      await http<Record<string, unknown>>(base, `/demo/operation/${op.id}.json`, { method: 'GET' })
    ).json;
    expect(json).toMatchObject({
      id: op.id,
      status: 'PENDING',
      activationId,
      protocolVersion: 4,
      offlineData: op.qrText,
      componentLength: 8,
    });

    const { display } = await token.approve(op.qrText, { pin: '1234' });
    // Wrong length and wrong characters: refused by the web app, no attempt counted.
    const short = await submit(op.id, display.slice(0, 14));
    expect(short.status).toBe(400);
    expect(testId(short.html, 'error')).toBe('enter 16 digits');
    const letters = await submit(op.id, `${display.slice(0, 18)}x`);
    expect(testId(letters.html, 'error')).toContain('is not a digit');
    expect((await ok(base, '/rest/v3/activation/status', { activationId })).failedAttempts).toBe(0);

    const valid = await submit(op.id, ` ${display.replace(/-/g, ' ')} `);
    expect(dataValue(valid.html, 'result')).toBe('VALID');
    expect(dataValue(valid.html, 'activation-status')).toBe('ACTIVE');
    expect(testId(valid.html, 'remaining-attempts')).toBe('5');
    expect(dataValue(valid.html, 'matched-type')).toBe('POSSESSION_KNOWLEDGE');
    expect(testId(valid.html, 'result')).toBe('Payment approved');
    expect(testId(valid.html, 'matched-type')).toBe('PIN');
    expect(valid.html).not.toContain('data-testid="retry"');
    // Finished: the operation page shows the outcome, not the code form.
    const finished = await http(base, `/demo/operation/${op.id}`, { method: 'GET' });
    expect(dataValue(finished.text, 'result')).toBe('VALID');
    expect(finished.text).not.toContain('data-testid="code-input"');
    const again = await submit(op.id, display);
    expect(dataValue(again.html, 'result')).toBe('ALREADY_APPROVED');
  });

  it('V3 with biometry allowed: approved with the biometry factor', async () => {
    const { token } = await enrolAndActivate('carol', 3);
    const op = await createOperation({ userId: 'carol', allowBiometry: 'true' });
    expect(op.qrText.split('\n')[4]).toBe('B');
    const { display } = await token.approve(op.qrText, { biometry: true });
    const r = await submit(op.id, display);
    expect(dataValue(r.html, 'result')).toBe('VALID');
    expect(dataValue(r.html, 'matched-type')).toBe('POSSESSION_BIOMETRY');
  });

  it('login operation and a non-personalized one (proximity ignored with a notice)', async () => {
    const { token } = await enrolAndActivate('dave', 4);
    const login = await createOperation({ userId: 'dave', template: 'login', note: 'from Prague' });
    expect(login.qrText.split('\n')[1]).toBe('Login');
    expect(login.qrText.split('\n')[3]).toBe('A2*Nfrom Prague');
    const l = await token.approve(login.qrText, { pin: '1234' });
    expect(dataValue((await submit(login.id, l.display)).html, 'result')).toBe('VALID');

    const r = await http(
      base,
      '/demo/operation',
      form({
        userId: 'dave',
        kind: 'non-personalized',
        template: 'payment',
        amount: '5',
        currency: 'EUR',
        iban: 'CZ2730300000001165254011',
        proximity: 'true',
      }),
    );
    const page = await http(base, r.headers.get('location')!, { method: 'GET' });
    expect(testId(page.text, 'notice')).toContain('personalized operations only');
    const qrText = testId(page.text, 'qr-text')!;
    expect(qrText.split('\n')).toHaveLength(7);
    const id = /operation\/([0-9a-f-]{36})/.exec(r.headers.get('location')!)![1]!;
    const n = await token.approve(qrText, { pin: '1234' });
    expect(dataValue((await submit(id, n.display)).html, 'result')).toBe('VALID');
  });

  it('wrong codes: INVALID with remaining attempts and a retry link, then blocked (MAX_FAILED_ATTEMPTS, 0 left)', async () => {
    await enrolAndActivate('erin', 3);
    const op = await createOperation({ userId: 'erin' });
    for (let left = 4; left >= 1; left--) {
      const r = await submit(op.id, '1111-2222-3333-4444');
      expect(dataValue(r.html, 'result')).toBe('INVALID');
      expect(testId(r.html, 'remaining-attempts')).toBe(String(left));
      expect(testId(r.html, 'result-text')).toContain(
        `${left} ${left === 1 ? 'attempt' : 'attempts'} remaining`,
      );
      expect(r.html).toContain('data-testid="retry"');
    }
    const blocked = await submit(op.id, '1111-2222-3333-4444');
    expect(dataValue(blocked.html, 'result')).toBe('INVALID');
    expect(dataValue(blocked.html, 'activation-status')).toBe('BLOCKED');
    expect(testId(blocked.html, 'remaining-attempts')).toBe('0');
    expect(dataValue(blocked.html, 'blocked-reason')).toBe('MAX_FAILED_ATTEMPTS');
    // Blocked says so, in words, and offers no retry; the operation page now shows that outcome, not the form.
    expect(testId(blocked.html, 'result')).toBe('Blocked');
    expect(testId(blocked.html, 'result-text')).toContain('Your token is blocked (too many wrong codes)');
    expect(testId(blocked.html, 'blocked-reason')).toBe('too many wrong codes');
    expect(blocked.html).not.toContain('data-testid="retry"');
    const opPage = await http(base, `/demo/operation/${op.id}`, { method: 'GET' });
    expect(dataValue(opPage.text, 'result')).toBe('INVALID');
    expect(opPage.text).not.toContain('data-testid="code-input"');
    // No ACTIVE activation left: the operation form says so.
    const none = await http(
      base,
      '/demo/operation',
      form({
        userId: 'erin',
        kind: 'personalized',
        template: 'payment',
        amount: '1',
        currency: 'EUR',
        iban: 'CZ2730300000001165254011',
      }),
    );
    expect(none.status).toBe(400);
    expect(testId(none.text, 'error')).toContain('has no active token');
  });

  it('invalid operation input is shown on the form (nothing created)', async () => {
    await enrolAndActivate('frank', 4);
    const r = await http(
      base,
      '/demo/operation',
      form({
        userId: 'frank',
        kind: 'personalized',
        template: 'payment',
        amount: '1,5',
        currency: 'EUR',
        iban: 'CZ2730300000001165254011',
      }),
    );
    expect(r.status).toBe(400);
    expect(testId(r.text, 'error')).toBeTruthy();
    expect(r.text).toContain('value="1,5"');
  });

  it('EXPIRED after the payload TTL', async () => {
    const { token } = await enrolAndActivate('gina', 4);
    const op = await createOperation({ userId: 'gina' });
    const { display } = await token.approve(op.qrText, { pin: '1234' });
    clockOffsetMs = 301_000;
    try {
      const r = await submit(op.id, display);
      expect(dataValue(r.html, 'result')).toBe('EXPIRED');
    } finally {
      clockOffsetMs = 0;
    }
  });

  it('the proximity seed is stored encrypted (AES-GCM envelope bound to the row) and used at verify', async () => {
    const { token } = await enrolAndActivate('hana', 4);
    const op = await createOperation({ userId: 'hana', proximity: 'true' });
    expect(op.qrText.split('\n')[5]).toMatch(/^\d{8}$/);
    const row = (
      await api.storage.query<{
        proximity_seed: Uint8Array;
        proximity_seed_encryption: number;
        step_length: number;
      }>(
        'SELECT proximity_seed, proximity_seed_encryption, step_length FROM oc_demo_operation WHERE id = $1',
        [op.id],
      )
    ).rows[0]!;
    expect(Number(row.proximity_seed_encryption)).toBe(1);
    expect(row.proximity_seed.length).toBe(1 + 4 + 12 + 16 + 16);
    expect(row.proximity_seed[0]).toBe(1);
    expect(Number(row.step_length)).toBe(30);
    // Moved to another operation's row, the ciphertext no longer authenticates (ERR0022, shown on the page).
    const other = await createOperation({ userId: 'hana', proximity: 'true' });
    const setSeed = (id: string, seed: Uint8Array) =>
      api.storage.query('UPDATE oc_demo_operation SET proximity_seed = $2 WHERE id = $1', [id, seed]);
    const otherSeed = (
      await api.storage.query<{ s: Uint8Array }>(
        'SELECT proximity_seed AS s FROM oc_demo_operation WHERE id = $1',
        [other.id],
      )
    ).rows[0]!.s;
    await setSeed(other.id, row.proximity_seed);
    const moved = await submit(other.id, '1234-5678-1234-5678');
    expect(moved.status).toBe(400);
    expect(moved.html).toMatch(/data-testid="error"[^>]*data-code="ERR0022"/);
    await setSeed(other.id, otherSeed); // put back (the key-rotation tests re-seal every row)
    const { display } = await token.approve(op.qrText, { pin: '1234' });
    expect(dataValue((await submit(op.id, display)).html, 'result')).toBe('VALID');
  });
});

describe('configuration', () => {
  it('registry off: a second submission of an approved operation is answered locally (no attempt counted)', async () => {
    const off = await attachApi(api.storage, {
      OFFCODE_MASTER_KEY: MASTER_KEY,
      OFFCODE_PAYLOAD_REGISTRY: 'off',
    });
    try {
      const { token, activationId } = await enrolAndActivate('ivan', 3);
      const r = await http(
        off.url,
        '/demo/operation',
        form({
          userId: 'ivan',
          kind: 'personalized',
          template: 'payment',
          amount: '9',
          currency: 'EUR',
          iban: 'CZ2730300000001165254011',
        }),
      );
      const id = /operation\/([0-9a-f-]{36})/.exec(r.headers.get('location')!)![1]!;
      const page = await http(off.url, `/demo/operation/${id}`, { method: 'GET' });
      const qrText = testId(page.text, 'qr-text')!;
      const { display } = await token.approve(qrText, { pin: '1234' });
      const submitOff = async () => {
        await http(off.url, `/demo/operation/${id}/verify`, form({ code: display }));
        return (await http(off.url, `/demo/operation/${id}/result`, { method: 'GET' })).text;
      };
      expect(dataValue(await submitOff(), 'result')).toBe('VALID');
      expect(dataValue(await submitOff(), 'result')).toBe('ALREADY_APPROVED');
      expect((await ok(base, '/rest/v3/activation/status', { activationId })).failedAttempts).toBe(0);
    } finally {
      await off.close();
    }
  });

  it('with integration credentials the demo takes them: without, nothing is created, attempted or shown', async () => {
    const guarded = await attachApi(api.storage, {
      OFFCODE_MASTER_KEY: MASTER_KEY,
      OFFCODE_INTEGRATION_CREDENTIALS: 'bank-app:s3cret',
    });
    const auth = { authorization: basicAuth('bank-app:s3cret') };
    try {
      const { token, activationId } = await enrolAndActivate('dave', 4);
      const { id } = await createOperation({ userId: 'dave' });
      const opPath = `/demo/operation/${id}`;
      const before = await ok(base, '/rest/v3/activation/status', { activationId });
      const activations = async () =>
        (await api.storage.query<{ n: string }>('SELECT count(*) AS n FROM oc_activation')).rows[0]!.n;
      const countBefore = await activations();

      const refused = [
        await http(guarded.url, '/demo/enrol', form({ userId: 'mallory', protocolVersion: '4' })),
        await http(guarded.url, '/demo/operation', form({ userId: 'dave', kind: 'personalized' })),
        await http(guarded.url, `${opPath}/verify`, form({ code: '1234-5678-9012-3456' })),
        await http(guarded.url, opPath, { method: 'GET' }),
        await http(guarded.url, `${opPath}.json`, { method: 'GET' }),
        await http(guarded.url, `${opPath}/qr.svg`, { method: 'GET' }),
        await http(guarded.url, '/demo/token', { method: 'GET' }),
        await http(guarded.url, '/demo/assets/token.js', { method: 'GET' }),
      ];
      for (const r of refused) {
        expect(r.status).toBe(401);
        expect(r.headers.get('www-authenticate')).toBe('Basic realm="offcode"');
        expect(r.text).not.toContain('dave');
      }
      expect(await activations()).toBe(countBefore);
      const after = await ok(base, '/rest/v3/activation/status', { activationId });
      expect(after.failedAttempts).toBe(before.failedAttempts);

      // With the pair, the same forms work.
      const page = await http(guarded.url, opPath, { method: 'GET', headers: auth });
      expect(page.status).toBe(200);
      const { display } = await token.approve(testId(page.text, 'qr-text')!, { pin: '1234' });
      const verified = await http(guarded.url, `${opPath}/verify`, {
        ...form({ code: display }),
        headers: { ...form({}).headers, ...auth },
      });
      expect(verified.status).toBe(303);
      const result = await http(guarded.url, `${opPath}/result`, { method: 'GET', headers: auth });
      expect(dataValue(result.text, 'result')).toBe('VALID');
    } finally {
      await guarded.close();
    }
  });

  it('the demo is off by default: a server started without OFFCODE_DEMO_ENABLED serves no demo and seeds nothing', async () => {
    const plain = await startApi({
      env: { OFFCODE_PORT: '0', OFFCODE_DATA_DIR: 'memory://', OFFCODE_TEMP_BLOCK_SWEEP_MS: '0' },
      logger: false,
    });
    try {
      expect(plain.config.demoEnabled).toBe(false);
      for (const path of ['/', '/demo', '/demo/enrol', '/demo/token']) {
        expect((await http(plain.url, path, { method: 'GET' })).status, path).toBe(404);
      }
      expect((await ok(plain.url, '/rest/v3/application/list')).applications).toEqual([]);
    } finally {
      await plain.close();
    }
  });

  it('OFFCODE_DEMO_ENABLED=false: no demo routes, no redirect', async () => {
    const off = await attachApi(api.storage, {
      OFFCODE_MASTER_KEY: MASTER_KEY,
      OFFCODE_DEMO_ENABLED: 'false',
    });
    try {
      for (const path of ['/', '/demo', '/demo/token', '/demo/operation/new']) {
        const r = await http<{ responseObject: { code: string } }>(off.url, path, { method: 'GET' });
        expect(r.status, path).toBe(404);
        expect(r.json.responseObject.code).toBe('ERROR_NOT_FOUND');
      }
      expect((await http(off.url, '/rest/v3/status', { method: 'GET' })).status).toBe(200);
    } finally {
      await off.close();
    }
  });

  it('OFFCODE_METRICS_ENABLED=false: no /metrics route and none in the OpenAPI document', async () => {
    const off = await attachApi(api.storage, {
      OFFCODE_MASTER_KEY: MASTER_KEY,
      OFFCODE_METRICS_ENABLED: 'false',
    });
    try {
      expect((await http(off.url, '/metrics', { method: 'GET' })).status).toBe(404);
      const doc = (
        await http<{ paths: Record<string, unknown> }>(off.url, '/openapi.json', { method: 'GET' })
      ).json;
      expect(Object.keys(doc.paths)).not.toContain('/metrics');
    } finally {
      await off.close();
    }
  });
});

describe('keys at rest (the demo table set, server.md §5.7)', () => {
  const NEW_KEY = encodeBase64(new Uint8Array(32).fill(9));
  const serverWith = (env: Record<string, string>, tableSets = [DEMO_TABLES]) =>
    createOffcodeServer({ config: loadConfigOrThrow(env), storage: api.storage, tableSets });
  const seedOf = async (id: string): Promise<Uint8Array> =>
    (
      await api.storage.query<{ proximity_seed: Uint8Array }>(
        'SELECT proximity_seed FROM oc_demo_operation WHERE id = $1',
        [id],
      )
    ).rows[0]!.proximity_seed;

  it('key rotation re-seals the proximity seeds; the new key alone then verifies them', async () => {
    const { token } = await enrolAndActivate('ivan', 4);
    const op = await createOperation({ userId: 'ivan', proximity: 'true' });
    const before = await seedOf(op.id);
    const rotated = await serverWith({
      OFFCODE_MASTER_KEY: NEW_KEY,
      OFFCODE_MASTER_KEY_PREVIOUS: MASTER_KEY,
    });
    const { resealed } = await rotated.maintenance.reseal();
    expect(resealed['oc_demo_operation.proximity_seed']).toBeGreaterThanOrEqual(1);
    const after = await seedOf(op.id);
    expect(Buffer.from(after.subarray(1, 5)).toString('hex')).not.toBe(
      Buffer.from(before.subarray(1, 5)).toString('hex'),
    );
    // An API with only the new key (no previous one) starts (start-up check) and verifies with the seed.
    const only = await attachApi(api.storage, { OFFCODE_MASTER_KEY: NEW_KEY });
    try {
      const { display } = await token.approve(op.qrText, { pin: '1234' });
      expect(dataValue((await submit(op.id, display, only.url)).html, 'result')).toBe('VALID');
    } finally {
      await only.close();
      // Back to the key of the other tests.
      await (
        await serverWith({ OFFCODE_MASTER_KEY: MASTER_KEY, OFFCODE_MASTER_KEY_PREVIOUS: NEW_KEY })
      ).maintenance.reseal();
    }
  });

  it('a seed sealed under a key that is not configured fails the start-up check, naming the column', async () => {
    await enrolAndActivate('jana', 4);
    const op = await createOperation({ userId: 'jana', proximity: 'true' });
    const original = await seedOf(op.id);
    const foreign = Uint8Array.from(original);
    foreign.set([0xde, 0xad, 0xbe, 0xef], 1); // the key id of a key this deployment does not have
    await api.storage.query('UPDATE oc_demo_operation SET proximity_seed = $2 WHERE id = $1', [
      op.id,
      foreign,
    ]);
    try {
      const error = await serverWith({ OFFCODE_MASTER_KEY: MASTER_KEY }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'ERR0021' });
      expect((error as Error).message).toContain('oc_demo_operation.proximity_seed (key id deadbeef)');
      // A server without the demo's table set does not look at the demo's table.
      await expect(serverWith({ OFFCODE_MASTER_KEY: MASTER_KEY }, [])).resolves.toBeDefined();
    } finally {
      await api.storage.query('UPDATE oc_demo_operation SET proximity_seed = $2 WHERE id = $1', [
        op.id,
        original,
      ]);
    }
  });
});
