/**
 * The demo as a bank's customer sees it, in real headless Chromium (Debian /usr/bin/chromium through
 * playwright-core) with a German locale and time zone (issue 14 item 4, issue 12 item 6):
 *
 * - V3 enrols through PowerAuth: the activation QR on the bank page is decoded here and uploaded as a
 *   picture to the token page, which reads it and runs keystore/create + activation/create (the requests
 *   are recorded; no plain exchange). A payment is approved offline and verified on the bank page; the token
 *   page asks the server for the status on load and on request; "remove" asks first (dismissed: nothing
 *   happens; accepted: a signed /pa/v3/activation/remove) and the bank page then shows the token removed.
 * - V4 keeps the plain exchange; five wrong codes: the result says blocked and offers no retry, the
 *   operation page shows that outcome instead of the code form, the token page learns "blocked" from the
 *   server and "active" again after the bank unblocks; reset asks first.
 * - Every page reached is checked at 390 and 1280 px: no sideways scroll (scrollWidth <= viewport width),
 *   no enum names, error codes or storage keys in the text, times in the reader's locale (de-DE,
 *   Europe/Berlin, compared with Node's Intl for the element's datetime), the favicon linked and loading;
 *   full-page screenshots go to apps/api/artifacts/screenshots/{page}-{width}.png.
 * - The pages run under their content security policy: any violation (event or console report) fails.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { localDateTime } from '../src/demo/words.js';
import type { RunningApi } from '../src/start.js';
import { API_ROOT, ok, startTestApi, UUID_RE } from './harness.js';
import { decodeQrPng } from './qr-decode.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--no-first-run',
];
const SHOTS = join(API_ROOT, 'artifacts', 'screenshots');
const WIDTHS = [390, 1280] as const;
const LOCALE = 'de-DE';
const TIME_ZONE = 'Europe/Berlin';

/**
 * What must never be page text: the server's and the token's constants, error codes, table names and
 * storage keys (the pages say these things in words).
 */
const FORBIDDEN: readonly RegExp[] = [
  /\b(?:ACTIVE|PENDING_COMMIT|PENDING|BLOCKED|REMOVED|CREATED|NOT_ACTIVATED|VALID|INVALID|APPROVED|EXPIRED)\b/,
  /\b[A-Z][A-Z0-9]+(?:_[A-Z0-9]+)+\b/,
  /\bERR\d{4}\b|\bOFF-\d{4}\b/,
  /\boc_[a-z_]+/,
  /offcode\.token|localStorage/,
];

let api: RunningApi;
let base: string;
let context: BrowserContext;
let page: Page;
let userDataDir: string;
const pageErrors: string[] = [];
const cspProblems: string[] = [];
/** Paths of the requests the pages made (to tell the PowerAuth enrolment from the plain exchange). */
const requests: string[] = [];

const CSP_RECORDER = () => {
  document.addEventListener('securitypolicyviolation', (e) => {
    console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`);
  });
};

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  if (!existsSync(join(API_ROOT, 'dist', 'assets', 'token.js'))) {
    throw new Error('dist/assets/token.js is missing: run "pnpm --filter @offcode/api build"');
  }
  mkdirSync(SHOTS, { recursive: true });
  api = await startTestApi({ OFFCODE_PAYLOAD_REGISTRY: 'enforce' });
  base = api.url;
  userDataDir = mkdtempSync(join(tmpdir(), 'offcode-demo-browser-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    locale: LOCALE,
    timezoneId: TIME_ZONE,
    viewport: { width: 1280, height: 900 },
  });
  await context.addInitScript(CSP_RECORDER);
  page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (m) => {
    if (/Content Security Policy|CSP violation/i.test(m.text()))
      cspProblems.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('request', (r) => requests.push(new URL(r.url()).pathname));
  page.setDefaultTimeout(30_000);
});

afterEach(() => {
  expect(cspProblems.splice(0)).toEqual([]);
  expect(pageErrors.splice(0)).toEqual([]);
});

afterAll(async () => {
  await context?.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  await api?.close();
});

const poll = <T>(fn: () => Promise<T>) => expect.poll(fn, { timeout: 30_000, interval: 100 });
const text = async (testId: string): Promise<string> =>
  ((await page.getByTestId(testId).first().textContent()) ?? '').trim();
const attr = async (testId: string, name = 'data-value'): Promise<string> =>
  (await page.getByTestId(testId).first().getAttribute(name)) ?? '';
const tokenStatus = () => attr('token-status', 'data-status');

/**
 * The reader's checks on the current page at both widths, with a screenshot each: no sideways scroll, no
 * internal names in the text, every time in the reader's locale, the favicon linked and loading.
 */
async function checkPage(name: string): Promise<void> {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    const scrollWidth = await page.evaluate(() => document.scrollingElement!.scrollWidth);
    expect(scrollWidth, `${name} scrolls sideways at ${width} px`).toBeLessThanOrEqual(width);
    const header = await page.locator('header').boundingBox();
    expect(header!.x + header!.width, `${name}: header at ${width} px`).toBeLessThanOrEqual(width);
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text (hidden elements excluded) is what the reader sees
    const bodyText = await page.evaluate(() => document.body.innerText);
    for (const pattern of FORBIDDEN) expect(bodyText, `${name}: ${pattern}`).not.toMatch(pattern);
    await page.screenshot({ path: join(SHOTS, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  await expectLocalTimes(name);
  const icon = page.locator('link[rel="icon"]');
  expect(await icon.getAttribute('href')).toBe('/demo/assets/favicon.svg');
  const iconWidth = await page.evaluate(async (href) => {
    const img = new Image();
    img.src = href;
    await img.decode();
    return img.naturalWidth;
  }, '/demo/assets/favicon.svg');
  expect(iconWidth).toBeGreaterThan(0);
}

/** Every `<time>` shows its instant in de-DE / Europe/Berlin, as Node's Intl formats it. */
async function expectLocalTimes(name: string): Promise<number> {
  await page.locator('html[data-local-time="done"]').waitFor();
  const times = await page
    .locator('time[datetime]')
    .evaluateAll((els) => els.map((e) => [e.getAttribute('datetime') ?? '', e.textContent ?? '']));
  for (const [iso, shown] of times) {
    expect(shown, `${name}: time ${iso}`).toBe(localDateTime(iso!, LOCALE, TIME_ZONE));
    expect(shown).toMatch(/^\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}:\d{2}$/);
  }
  return times.length;
}

async function openToken(query = ''): Promise<void> {
  await page.goto(`${base}/demo/token${query}`);
  await page.locator('body[data-ready="true"]').waitFor();
}

async function enrol(userId: string, protocol: 3 | 4) {
  await page.goto(`${base}/demo/enrol`);
  await page.getByTestId('user-id-input').fill(userId);
  await page.getByTestId('protocol-version-select').selectOption(String(protocol));
  await page.getByTestId('enrol-button').click();
  await page.getByTestId('activation-code').waitFor();
  const code = await text('activation-code');
  const qrText = await text('activation-qr-text');
  const activationId = await text('activation-id');
  expect(activationId).toMatch(UUID_RE);
  // The QR as the page shows it decodes to CODE#SIGNATURE.
  const qrPng = await page.getByTestId('activation-qr').screenshot();
  expect(decodeQrPng(qrPng).text).toBe(qrText);
  expect(qrText.startsWith(`${code}#`)).toBe(true);
  const qrFile = join(SHOTS, `activation-qr-v${protocol}.png`);
  writeFileSync(qrFile, qrPng);
  return { code, qrText, qrFile, activationId };
}

async function createPayment(userId: string): Promise<{ url: string; qrText: string }> {
  await page.goto(`${base}/demo/operation/new`);
  await page.getByTestId('user-id-input').fill(userId);
  await page.getByTestId('amount-input').fill('1250.50');
  await page.getByTestId('note-input').fill('Rent December');
  await page.getByTestId('create-operation').click();
  await page.waitForURL(/\/demo\/operation\/[0-9a-f-]{36}$/);
  expect(await attr('operation-status')).toBe('PENDING');
  expect(await text('operation-status')).toBe('Waiting for your code');
  return { url: page.url(), qrText: (await page.getByTestId('qr-text').textContent()) ?? '' };
}

async function approveOnToken(qrText: string, pin: string): Promise<string> {
  await openToken();
  await page.getByTestId('qr-input').fill(qrText);
  await page.getByTestId('scan-button').click();
  await poll(() => attr('qr-signature-status')).toBe('verified');
  await page.getByTestId('approve-pin').fill(pin);
  await page.getByTestId('approve-button').click();
  await poll(() => text('code')).toMatch(/^\d{4}-\d{4}-\d{4}-\d{4}$/);
  return text('code');
}

async function typeCode(url: string, code: string): Promise<void> {
  await page.goto(url);
  await page.getByTestId('code-input').fill(code);
  await page.getByTestId('verify-button').click();
  await page.getByTestId('result').waitFor();
}

/** Clicks a button that asks first; `answer` accepts or dismisses the confirm dialog; returns its message. */
async function clickConfirmed(testId: string, answer: 'accept' | 'dismiss'): Promise<string> {
  let asked: { type: string; message: string } | null = null;
  page.once('dialog', (d) => {
    asked = { type: d.type(), message: d.message() };
    void (answer === 'accept' ? d.accept() : d.dismiss());
  });
  await page.getByTestId(testId).click();
  await poll(async () => asked).not.toBeNull();
  const { type, message } = asked as unknown as { type: string; message: string };
  expect(type).toBe('confirm');
  return message;
}

/** Each test starts from a browser without a token. */
async function forgetToken(): Promise<void> {
  await page.goto(`${base}/demo`);
  await page.evaluate(() => window.localStorage.clear());
}

const serverStatus = async (activationId: string): Promise<string> =>
  (await ok(base, '/rest/v3/activation/status', { activationId })).activationStatus;

describe('the demo reads like a bank (Chromium, de-DE, 390 and 1280 px)', () => {
  it('V3 through PowerAuth: activation QR read by the token, payment approved, status from the server, remove asks first, bank shows removed', async () => {
    await forgetToken();
    await checkPage('home');
    await page.goto(`${base}/demo/operation/new`);
    await checkPage('operation-form');
    await page.goto(`${base}/demo/enrol`);
    await checkPage('enrol-form');
    const { qrText, qrFile, activationId } = await enrol('paula', 3);
    await checkPage('enrolled-v3');
    await page.getByTestId('activation-link').click();
    expect(await attr('activation-status')).toBe('CREATED');
    expect(await text('activation-status')).toBe('Waiting for the token');

    // The token page reads the activation QR picture and enrols like a PowerAuth app.
    await openToken('?protocol=3');
    await page.getByTestId('activation-qr-file').setInputFiles(qrFile);
    await poll(() => page.getByTestId('activation-code-input').inputValue()).toBe(qrText);
    await page.getByTestId('pin-input').fill('1234');
    requests.length = 0;
    await page.getByTestId('activate-button').click();
    await poll(tokenStatus).toBe('ACTIVE');
    expect(requests).toEqual(
      expect.arrayContaining([
        '/pa/v3/keystore/create',
        '/pa/v3/activation/create',
        '/pa/v3/activation/status',
      ]),
    );
    expect(requests).not.toContain('/rest/offcode/activation/exchange');
    expect(await text('token-status')).toBe('Active');
    expect(await text('token-activation-id')).toBe(activationId);
    expect(await text('token-protocol')).toContain('V3, PowerAuth activation');
    const checkedAfterActivation = await attr('token-status-checked');
    expect(await text('token-status-checked')).toBe(localDateTime(checkedAfterActivation, LOCALE, TIME_ZONE));
    await checkPage('token-active-v3');
    expect(await serverStatus(activationId)).toBe('ACTIVE');
    await page.goto(`${base}/demo/activation/${activationId}`);
    expect(await text('activation-status')).toBe('Active');
    await checkPage('bank-active');

    // An offline payment approved with the token and verified on the bank page.
    const op = await createPayment('paula');
    expect(await expectLocalTimes('operation')).toBeGreaterThanOrEqual(2);
    await checkPage('operation');
    const code = await approveOnToken(op.qrText, '1234');
    await typeCode(op.url, code.replace(/-/g, ' '));
    expect(await attr('result')).toBe('VALID');
    expect(await text('result')).toBe('Payment approved');
    expect(await text('result-text')).toBe('Approved with PIN.');
    expect(await page.getByTestId('retry').count()).toBe(0);
    await checkPage('result-approved');
    // Finished: the operation page shows the outcome, not the code form.
    await page.goto(op.url);
    expect(await attr('result')).toBe('VALID');
    expect(await page.getByTestId('code-input').count()).toBe(0);

    // The token page asks the server for the status on load and when asked.
    requests.length = 0;
    await openToken();
    await poll(() => Promise.resolve(requests.filter((p) => p === '/pa/v3/activation/status').length)).toBe(
      1,
    );
    await poll(() => attr('token-status-checked')).not.toBe(checkedAfterActivation);
    const checkedOnLoad = await attr('token-status-checked');
    await new Promise((r) => setTimeout(r, 1100)); // the next check gets a later second
    await page.getByTestId('refresh-status').click();
    await poll(() => Promise.resolve(requests.filter((p) => p === '/pa/v3/activation/status').length)).toBe(
      2,
    );
    await poll(() => attr('token-status-checked')).not.toBe(checkedOnLoad);
    expect(await tokenStatus()).toBe('ACTIVE');
    expect(await text('token-protocol')).toContain('1 code computed');

    // Remove asks first: dismissed, nothing happens; accepted, the signed removal reaches the bank.
    await page.getByTestId('remove-pin').fill('1234');
    requests.length = 0;
    expect(await clickConfirmed('remove-button', 'dismiss')).toContain('Remove this token?');
    await new Promise((r) => setTimeout(r, 300));
    expect(requests).not.toContain('/pa/v3/activation/remove');
    expect(await tokenStatus()).toBe('ACTIVE');
    expect(await serverStatus(activationId)).toBe('ACTIVE');
    await clickConfirmed('remove-button', 'accept');
    await poll(tokenStatus).toBe('');
    expect(requests).toContain('/pa/v3/activation/remove');
    expect(await text('token-status')).toBe('Not activated');
    expect(await text('message')).toBe('The token was removed at the bank and deleted from this browser.');
    await checkPage('token-removed');
    expect(await serverStatus(activationId)).toBe('REMOVED');

    await page.goto(`${base}/demo/activation/${activationId}`);
    expect(await attr('activation-status')).toBe('REMOVED');
    expect(await text('activation-status')).toBe('Removed');
    expect(await text('activation-note')).toBe(
      'The token was removed: the bank no longer accepts its codes.',
    );
    await checkPage('bank-removed');
  });

  it('V4 plain exchange: blocked says blocked without retry, the token page learns it from the server, reset asks first', async () => {
    await forgetToken();
    const { qrText, activationId } = await enrol('vera', 4);
    await checkPage('enrolled-v4');
    requests.length = 0;
    await page.getByTestId('token-link').click();
    await page.locator('body[data-ready="true"]').waitFor();
    expect(await page.getByTestId('activation-code-input').inputValue()).toBe(qrText);
    expect(await page.getByTestId('protocol-select').inputValue()).toBe('4');
    // A QR whose signature does not verify with the bank's P-384 master key is refused before any request.
    const [code, signature] = qrText.split('#') as [string, string];
    const forged = Buffer.from(signature, 'base64');
    forged[forged.length - 5]! ^= 0x01;
    await page.getByTestId('activation-code-input').fill(`${code}#${forged.toString('base64')}`);
    await page.getByTestId('pin-input').fill('1234');
    await page.getByTestId('activate-button').click();
    await poll(() => text('error')).toContain('was not issued by this bank');
    expect(await attr('error', 'data-code')).toBe('SIGNATURE_INVALID');
    expect(await tokenStatus()).toBe('');
    expect(requests).not.toContain('/rest/offcode/activation/exchange');
    await page.getByTestId('activation-code-input').fill(qrText);
    await page.getByTestId('pin-input').fill('1234');
    await page.getByTestId('activate-button').click();
    await poll(tokenStatus).toBe('ACTIVE');
    expect(requests).toContain('/rest/offcode/activation/exchange');
    expect(requests.some((p) => p.startsWith('/pa/v3/'))).toBe(false);
    expect(await text('token-protocol')).toContain('V4, Offcode key exchange');

    const op = await createPayment('vera');
    for (let left = 4; left >= 1; left--) {
      await typeCode(op.url, '1111 2222 3333 4444');
      expect(await attr('result')).toBe('INVALID');
      expect(await text('result')).toBe('Wrong code');
      expect(await text('result-text')).toBe(
        `The code is not valid. ${left} ${left === 1 ? 'attempt' : 'attempts'} remaining.`,
      );
      expect(await page.getByTestId('retry').count()).toBe(1);
      if (left === 4) await checkPage('result-wrong-code');
    }
    await typeCode(op.url, '1111 2222 3333 4444');
    expect(await attr('activation-status')).toBe('BLOCKED');
    expect(await text('result')).toBe('Blocked');
    expect(await text('result-text')).toBe(
      'Your token is blocked (too many wrong codes): this payment cannot be approved. Contact the bank to unblock it.',
    );
    expect(await page.getByTestId('retry').count()).toBe(0);
    expect(await page.getByText('Try again').count()).toBe(0);
    await checkPage('result-blocked');
    await page.goto(op.url);
    expect(await text('result')).toBe('Blocked');
    expect(await page.getByTestId('code-input').count()).toBe(0);

    // The token page learns the block from the server (it still says "active" in its stored state).
    await openToken();
    await poll(tokenStatus).toBe('BLOCKED');
    expect(await text('token-status')).toBe('Blocked');
    expect(await text('token-status-note')).toBe(
      'Too many wrong codes: the bank refuses its codes until it unblocks the token.',
    );
    expect(await page.getByTestId('scan-button').isDisabled()).toBe(true);
    await checkPage('token-blocked');
    await ok(base, '/rest/v3/activation/unblock', { activationId });
    await page.getByTestId('refresh-status').click();
    await poll(tokenStatus).toBe('ACTIVE');
    expect(await page.getByTestId('scan-button').isDisabled()).toBe(false);

    // Reset asks first: dismissed, the token stays; accepted, it is gone from this browser (not the bank).
    expect(await clickConfirmed('reset-button', 'dismiss')).toContain('Reset the token?');
    await new Promise((r) => setTimeout(r, 300));
    expect(await tokenStatus()).toBe('ACTIVE');
    expect(await page.evaluate(() => window.localStorage.length)).toBe(1);
    await clickConfirmed('reset-button', 'accept');
    await poll(tokenStatus).toBe('');
    expect(await page.evaluate(() => window.localStorage.length)).toBe(0);
    expect(await serverStatus(activationId)).toBe('ACTIVE');
    await checkPage('token-reset');
  });
});
