/**
 * End to end in real headless Chromium (Debian /usr/bin/chromium driven by playwright-core), server.md §7.4:
 * enrol → activate the in-browser software token with the activation QR's text → create an operation →
 * read the QR from the page and decode the image (jsQR + pngjs) to the exact payload text → compute the
 * code on the token page → type it in 4x4 form → VALID, and the operation page then shows that outcome; a
 * wrong PIN → INVALID with the remaining attempts, the right PIN next → VALID. Protocol 4 (plain exchange)
 * with a personalized proximity operation (QR text pasted), then, after a token reset (confirmed), protocol
 * 3 (PowerAuth activation) with a non-personalized operation (QR image uploaded and decoded in the
 * browser). demo-browser.test.ts covers the bank-like behaviour at 390 and 1280 px. Screenshots go to
 * apps/api/artifacts/. Without Chromium this test FAILS.
 *
 * The pages run under their content security policy (server.md §6.11): an init script records every
 * `securitypolicyviolation` event and the console's CSP errors are collected; any of them fails the test.
 * The API docs page must render Swagger UI under the same rule, and the demo must work behind the
 * integration credentials (the browser sends them for the pages, assets and the token's calls).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApi } from '../src/start.js';
import { API_ROOT, http, startTestApi, UUID_RE } from './harness.js';
import { decodeQrPng, decodeQrSvg } from './qr-decode.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const ARTIFACTS = join(API_ROOT, 'artifacts');

let api: RunningApi;
let base: string;
let context: BrowserContext;
let page: Page;
let userDataDir: string;
const pageErrors: string[] = [];
/** CSP violations reported by the pages (events and console errors). */
const cspProblems: string[] = [];

/** Runs in every page before its scripts: records policy violations where the test can read them. */
const CSP_RECORDER = () => {
  document.addEventListener('securitypolicyviolation', (e) => {
    console.error(
      `CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`,
    );
  });
};

function watchCsp(p: Page): void {
  p.on('console', (message) => {
    const t = message.text();
    if (/Content Security Policy|CSP violation/i.test(t)) cspProblems.push(`${p.url()}: ${t}`);
  });
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: the browser test needs Debian's Chromium ("apt-get update && apt-get install -y chromium"; the repository's test script installs it)`,
    );
  }
  if (!existsSync(join(API_ROOT, 'dist', 'assets', 'token.js'))) {
    throw new Error('dist/assets/token.js is missing: run "pnpm --filter @offcode/api build"');
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  api = await startTestApi({ OFFCODE_PAYLOAD_REGISTRY: 'enforce' });
  base = api.url;
  userDataDir = mkdtempSync(join(tmpdir(), 'offcode-e2e-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    deviceScaleFactor: 2,
    viewport: { width: 1000, height: 1400 },
  });
  await context.addInitScript(CSP_RECORDER);
  page = context.pages()[0] ?? (await context.newPage());
  watchCsp(page);
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.setDefaultTimeout(30_000);
});

afterEach(() => {
  const problems = cspProblems.splice(0);
  expect(problems).toEqual([]);
});

afterAll(async () => {
  await context?.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  await api?.close();
});

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `e2e-${name}.png`), fullPage: true });
}

/** Waits for the page (activation, QR decoding and code computation take a while on a busy machine). */
const poll = <T>(fn: () => Promise<T>) => expect.poll(fn, { timeout: 30_000, interval: 100 });

const text = async (testId: string): Promise<string> =>
  ((await page.getByTestId(testId).first().textContent()) ?? '').trim();
/** The machine value behind a status or result (pages say it in words, the attribute keeps the value). */
const value = async (testId: string, attribute = 'data-value'): Promise<string> =>
  (await page.getByTestId(testId).first().getAttribute(attribute)) ?? '';
const tokenStatus = () => value('token-status', 'data-status');

/** Enrols on the bank page; returns the activation QR's text (`CODE#SIGNATURE`). */
async function enrol(userId: string, protocol: 3 | 4): Promise<string> {
  await page.goto(`${base}/demo/enrol`);
  await page.getByTestId('user-id-input').fill(userId);
  await page.getByTestId('protocol-version-select').selectOption(String(protocol));
  await page.getByTestId('enrol-button').click();
  await page.getByTestId('activation-code').waitFor();
  const code = await text('activation-code');
  expect(code).toMatch(/^[A-Z2-7]{5}(-[A-Z2-7]{5}){3}$/);
  expect(await text('activation-id')).toMatch(UUID_RE);
  expect(await page.getByTestId('activation-qr').getAttribute('src')).toMatch(
    /^data:image\/svg\+xml;base64,/,
  );
  const qrText = await text('activation-qr-text');
  expect(qrText.startsWith(`${code}#`)).toBe(true);
  await shot(`v${protocol}-1-enrolled`);
  return qrText;
}

async function openToken(query = ''): Promise<void> {
  await page.goto(`${base}/demo/token${query}`);
  await page.locator('body[data-ready="true"]').waitFor();
}

async function activateToken(code: string, protocol: 3 | 4, pin: string): Promise<void> {
  await openToken(`?code=${encodeURIComponent(code)}&protocol=${protocol}`);
  expect(await page.getByTestId('activation-code-input').inputValue()).toBe(code);
  expect(await page.getByTestId('protocol-select').inputValue()).toBe(String(protocol));
  await page.getByTestId('pin-input').fill(pin);
  await page.getByTestId('activate-button').click();
  await poll(tokenStatus).toBe('ACTIVE');
  expect(await text('token-status')).toBe('Active');
  expect(await text('token-activation-id')).toMatch(UUID_RE);
  await shot(`v${protocol}-2-token-active`);
}

interface Operation {
  url: string;
  qrText: string;
  /** The operation's qr.png, saved under artifacts/ (uploaded to the token page). */
  pngFile: string;
}

async function createOperation(
  userId: string,
  options: { kind: 'personalized' | 'non-personalized'; proximity: boolean },
  label: string,
): Promise<Operation> {
  await page.goto(`${base}/demo/operation/new`);
  await page.getByTestId('user-id-input').fill(userId);
  await page.getByTestId('kind-select').selectOption(options.kind);
  await page.getByTestId('amount-input').fill('100');
  await page.getByTestId('currency-input').fill('EUR');
  await page.getByTestId('iban-input').fill('CZ2730300000001165254011');
  await page.getByTestId('note-input').fill('Žluťoučký kůň');
  if (options.proximity) await page.getByTestId('proximity').check();
  await page.getByTestId('create-operation').click();
  await page.waitForURL(/\/demo\/operation\/[0-9a-f-]{36}$/);
  const qrText = (await page.getByTestId('qr-text').textContent()) ?? '';
  expect(qrText.split('\n').length).toBe(options.proximity ? 8 : 7);

  // The QR as the page shows it: screenshot of the <img> element, decoded with jsQR.
  const image = await page.getByTestId('qr-image').screenshot();
  expect(decodeQrPng(image).text).toBe(qrText);
  // And the two image endpoints: PNG and SVG decode to the same exact text (UTF-8 note included).
  const imgSrc = await page.getByTestId('qr-image').getAttribute('src');
  expect(imgSrc).toMatch(/\/qr\.svg$/);
  const png = await fetch(`${page.url()}/qr.png`);
  expect(png.headers.get('content-type')).toBe('image/png');
  const pngBytes = new Uint8Array(await png.arrayBuffer());
  expect(decodeQrPng(pngBytes).text).toBe(qrText);
  const svg = await (await fetch(`${page.url()}/qr.svg`)).text();
  expect(decodeQrSvg(svg)).toBe(qrText);
  const pngFile = join(ARTIFACTS, `e2e-${label}-qr.png`);
  writeFileSync(pngFile, pngBytes);
  await shot(`${label}-operation`);
  return { url: page.url(), qrText, pngFile };
}

async function approveOnToken(
  op: Operation,
  pin: string,
  label: string,
  via: 'text' | 'file',
): Promise<string> {
  await openToken();
  if (via === 'text') {
    await page.getByTestId('qr-input').fill(op.qrText);
    await page.getByTestId('scan-button').click();
  } else {
    await page.getByTestId('qr-file').setInputFiles(op.pngFile);
    await poll(() => page.getByTestId('qr-input').inputValue()).toBe(op.qrText);
  }
  await poll(() => value('qr-signature-status')).toBe('verified');
  expect(await text('operation-title')).toBe('Payment');
  expect(await text('operation-message')).toBe('Pay 100 EUR to CZ2730300000001165254011');
  expect(await text('operation-fields')).toContain('100 EUR');
  expect(await text('operation-fields')).toContain('Žluťoučký kůň');
  await page.getByTestId('approve-pin').fill(pin);
  await page.getByTestId('approve-button').click();
  await poll(() => text('code')).toMatch(/^\d{4}-\d{4}-\d{4}-\d{4}$/);
  await shot(`${label}-code`);
  return text('code');
}

async function submitCode(
  op: Operation,
  typed: string,
  label: string,
): Promise<{ result: string; remaining: string; status: string }> {
  await page.goto(op.url);
  await page.getByTestId('code-input').fill(typed);
  await page.getByTestId('verify-button').click();
  await page.getByTestId('result').waitFor();
  await shot(label);
  return {
    result: await value('result'),
    remaining: await text('remaining-attempts'),
    status: await value('activation-status'),
  };
}

/** A finished operation's page shows its outcome, not the code form. */
async function expectOutcomePage(op: Operation, result: string): Promise<void> {
  await page.goto(op.url);
  expect(await value('result')).toBe(result);
  expect(await page.getByTestId('code-input').count()).toBe(0);
}

/** `1234-5678-9012-3456` typed the way people do: 4x4 groups separated by spaces. */
const spaced = (display: string): string => display.replace(/-/g, ' ');

describe('demo in headless Chromium', () => {
  it('protocol 4: personalized payment with proximity check, approved, then its outcome page; wrong PIN then right PIN', async () => {
    const code = await enrol('alice', 4);
    await activateToken(code, 4, '1234');

    const op = await createOperation('alice', { kind: 'personalized', proximity: true }, 'v4-3');
    const display = await approveOnToken(op, '1234', 'v4-4', 'text');
    const first = await submitCode(op, spaced(display), 'v4-5-approved');
    expect(first).toEqual({ result: 'VALID', remaining: '5', status: 'ACTIVE' });
    expect(await text('result-text')).toBe('Approved with PIN.');
    expect(await value('matched-type')).toBe('POSSESSION_KNOWLEDGE');
    await expectOutcomePage(op, 'VALID');

    const op2 = await createOperation('alice', { kind: 'personalized', proximity: true }, 'v4-7');
    const wrong = await approveOnToken(op2, '9999', 'v4-7-wrong-pin', 'text');
    const rejected = await submitCode(op2, spaced(wrong), 'v4-7-rejected');
    expect(rejected).toEqual({ result: 'INVALID', remaining: '4', status: 'ACTIVE' });
    expect(await text('result-text')).toBe('The code is not valid. 4 attempts remaining.');
    expect(await page.getByTestId('retry').count()).toBe(1);

    // A mistyped code is refused by the web app without calling verify (no attempt counted).
    await page.goto(op2.url);
    await page.getByTestId('code-input').fill('1234 5678');
    await page.getByTestId('verify-button').click();
    await poll(() => text('error')).toBe('enter 16 digits');

    const right = await approveOnToken(op2, '1234', 'v4-8-right-pin', 'text');
    const approved = await submitCode(op2, spaced(right), 'v4-8-approved');
    expect(approved).toEqual({ result: 'VALID', remaining: '5', status: 'ACTIVE' });
    const json = (
      await http<{ status: string; protocolVersion: number; componentLength: number }>(
        base,
        `${new URL(op2.url).pathname}.json`,
        { method: 'GET' },
      )
    ).json;
    expect(json).toMatchObject({ status: 'APPROVED', protocolVersion: 4, componentLength: 8 });
  });

  it('protocol 3 after a token reset: non-personalized payment, QR image uploaded and decoded in the browser', async () => {
    await openToken();
    page.once('dialog', (dialog) => dialog.accept());
    await page.getByTestId('reset-button').click();
    await poll(tokenStatus).toBe('');
    expect(await text('token-status')).toBe('Not activated');
    expect(await page.evaluate(() => window.localStorage.getItem('offcode.token.v1'))).toBeNull();

    const code = await enrol('bob', 3);
    await activateToken(code, 3, '1234');
    const op = await createOperation('bob', { kind: 'non-personalized', proximity: false }, 'v3-3');
    expect(op.qrText.split('\n').at(-1)![0]).toBe('0');
    const display = await approveOnToken(op, '1234', 'v3-4', 'file');
    const first = await submitCode(op, spaced(display), 'v3-5-approved');
    expect(first).toEqual({ result: 'VALID', remaining: '5', status: 'ACTIVE' });
    await expectOutcomePage(op, 'VALID');

    const op2 = await createOperation('bob', { kind: 'non-personalized', proximity: false }, 'v3-7');
    const wrong = await approveOnToken(op2, '9999', 'v3-7-wrong-pin', 'text');
    expect((await submitCode(op2, spaced(wrong), 'v3-7-rejected')).remaining).toBe('4');
    expect(pageErrors).toEqual([]);
  });
});

describe('content security policy in Chromium', () => {
  it('the policy is on: an injected inline script is blocked and reported', async () => {
    const response = await page.goto(`${base}/demo`);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    const ran = await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__inlineRan = true';
      document.body.append(s);
      return new Promise<boolean>((resolve) =>
        setTimeout(() => resolve((window as { __inlineRan?: boolean }).__inlineRan === true), 200),
      );
    });
    expect(ran).toBe(false);
    await poll(async () => cspProblems.length).toBeGreaterThan(0);
    expect(cspProblems.join('\n')).toMatch(/script-src/);
    cspProblems.length = 0;
  });

  it('the API docs page renders Swagger UI (the operations of the OpenAPI document) without violations', async () => {
    await page.goto(`${base}/docs`);
    await poll(() => page.locator('.swagger-ui .info .title').first().textContent()).toContain('Offcode API');
    await poll(() => page.locator('.opblock').count()).toBeGreaterThan(30);
    await page.locator('.opblock-summary').first().click();
    await page.locator('.opblock-body').first().waitFor();
    await shot('docs');
    expect(pageErrors).toEqual([]);
  });
});

describe('demo behind integration credentials in Chromium', () => {
  it('without the pair the demo answers 401; with it enrol, the token page (assets, WebAssembly, exchange) and activation work', async () => {
    const guarded = await startTestApi({ OFFCODE_INTEGRATION_CREDENTIALS: 'bank-app:s3cret' });
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
    try {
      // Without the pair: 401 with the Basic challenge (a browser would prompt; headless Chromium gives up).
      const refused = await http(guarded.url, '/demo/enrol', { method: 'GET' });
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toBe('Basic realm="offcode"');

      const signedIn = await browser.newContext({
        httpCredentials: { username: 'bank-app', password: 's3cret' },
      });
      await signedIn.addInitScript(CSP_RECORDER);
      const p = await signedIn.newPage();
      watchCsp(p);
      const errors: string[] = [];
      p.on('pageerror', (e) => errors.push(String(e)));
      await p.goto(`${guarded.url}/demo/enrol`);
      await p.getByTestId('user-id-input').fill('carol');
      await p.getByTestId('enrol-button').click();
      const code = ((await p.getByTestId('activation-code').textContent()) ?? '').trim();
      expect(code).toMatch(/^[A-Z2-7]{5}(-[A-Z2-7]{5}){3}$/);
      await p.getByTestId('token-link').click();
      await p.locator('body[data-ready="true"]').waitFor();
      await p.getByTestId('pin-input').fill('1234');
      await p.getByTestId('activate-button').click();
      await expect
        .poll(async () => p.getByTestId('token-status').getAttribute('data-status'), {
          timeout: 30_000,
        })
        .toBe('ACTIVE');
      expect(errors).toEqual([]);
      await signedIn.close();
    } finally {
      await browser.close();
      await guarded.close();
    }
  });
});
