/**
 * Smoke test of the ESM browser bundle in headless Chromium (Debian's /usr/bin/chromium driven by
 * playwright-core). The bundle and a blank page are served on 127.0.0.1 by the test harness's Fastify,
 * the same origin as the real @offcode/fastify routes over a real @offcode/server, so the page activates
 * for real.
 * This test installs nothing: without /usr/bin/chromium it FAILS with instructions.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  APP,
  issuePayload,
  newActivationCode,
  useServer,
  verifyOnServer,
} from '@offcode/test-harness/server';
import { payloadCase } from '@offcode/test-harness/vectors';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleStateText, V3_EXAMPLE, V4_EXAMPLE } from './fixtures.js';
import { DIST_DIR } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const BUNDLE = join(DIST_DIR, 'browser', 'offcode-client.js');
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

beforeAll(() => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: install it with "apt-get update && apt-get install -y chromium" (the test script does)`,
    );
  }
  if (!existsSync(BUNDLE))
    throw new Error(`${BUNDLE} is missing: run "pnpm --filter @offcode/client build" first`);
});

// Options as a function: read the bundle only after the check above.
const h = useServer(() => ({
  files: {
    '/': {
      contentType: 'text/html; charset=utf-8',
      body:
        '<!doctype html><meta charset="utf-8"><title>offcode smoke</title>' +
        '<script type="module">import * as offcode from "/offcode-client.js"; window.offcode = offcode;</script>',
    },
    '/offcode-client.js': { contentType: 'text/javascript; charset=utf-8', body: readFileSync(BUNDLE) },
  },
}));

let browser: Browser;
beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
});
afterAll(async () => {
  await browser?.close();
});

async function openPage(opts: { withoutWebAssembly?: boolean } = {}): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  if (opts.withoutWebAssembly) {
    // A Hermes stand-in: no WebAssembly at all.
    await page.addInitScript(() => {
      // biome-ignore lint/suspicious/noExplicitAny: deleting a global in the page
      delete (globalThis as any).WebAssembly;
    });
  }
  await page.goto(`${h.url}/`);
  await page.waitForFunction(() => 'offcode' in window);
  expect(errors).toEqual([]);
  return page;
}

interface ExampleRun {
  backend: string;
  hasWasm: boolean;
  codes: string[];
  wrongPin: string;
  stored: { counter: number; ctrData: string };
}

/** In the page: hand-built states in localStorage, scan + approve the worked examples. */
async function runExamples(page: Page, protocol: 3 | 4): Promise<ExampleRun> {
  const args = {
    state: exampleStateText(protocol),
    qr: payloadCase(protocol === 3 ? V3_EXAMPLE.payloadCase : V4_EXAMPLE.payloadCase),
  };
  return page.evaluate(async ({ state, qr }) => {
    const m = (window as unknown as { offcode: typeof import('../src/index.js') }).offcode;
    localStorage.clear();
    const store = new m.KeyValueTokenStore(localStorage);
    await store.write(state);
    const token = new m.OffcodeToken({ store });
    const op = await token.scan(qr);
    const first = await token.approve(op, { pin: '1234' });
    await store.write(state);
    const bio = await token.approve(op, { biometry: true });
    await store.write(state);
    const wrong = await token.approve(qr, { pin: '1235' });
    const saved = JSON.parse(localStorage.getItem('offcode.token.v1') as string);
    return {
      backend: token.engine.backend,
      hasWasm: typeof WebAssembly === 'object',
      codes: [first.code, bio.code],
      wrongPin: wrong.code,
      stored: { counter: saved.counter, ctrData: saved.ctrData },
    };
  }, args);
}

describe('browser bundle in headless Chromium', () => {
  it('is one self-contained ES module (no bare imports, no Node built-ins)', () => {
    const text = readFileSync(BUNDLE, 'utf8');
    expect(text).not.toMatch(/\bfrom\s*["'](node:|@offcode\/|@noble\/)/);
    expect(text).not.toMatch(/\brequire\(\s*["']/);
    expect(text).toMatch(/export\s*\{/);
  });

  it.each([3, 4] as const)(
    'computes the crypto.md worked-example codes for V%i with WebAssembly',
    async (protocol) => {
      const page = await openPage();
      const ex = protocol === 3 ? V3_EXAMPLE : V4_EXAMPLE;
      const r = await runExamples(page, protocol);
      expect(r.backend).toBe('wasm');
      expect(r.codes).toEqual([ex.code, ex.biometryCode]);
      expect(r.wrongPin).toBe(ex.wrongPinCode);
      expect(r.stored).toEqual({ counter: 1, ctrData: ex.next });
      await page.context().close();
    },
  );

  it('falls back to the noble backend when WebAssembly is missing', async () => {
    const page = await openPage({ withoutWebAssembly: true });
    const r = await runExamples(page, 4);
    expect(r.hasWasm).toBe(false);
    expect(r.backend).toBe('noble');
    expect(r.codes).toEqual([V4_EXAMPLE.code, V4_EXAMPLE.biometryCode]);
    await page.context().close();
  });

  it.each([3, 4] as const)(
    'activates against the server from the page and approves a code the server accepts (V%i)',
    async (protocol) => {
      const page = await openPage();
      const { activationCode } = await newActivationCode(h, 'browser-user');
      const status = await page.evaluate(
        async ({ code, app, protocol }) => {
          const m = (window as unknown as { offcode: typeof import('../src/index.js') }).offcode;
          localStorage.clear();
          const token = new m.OffcodeToken({ store: new m.KeyValueTokenStore(localStorage) });
          return token.activate({
            serverUrl: location.origin,
            applicationId: app,
            activationCode: code,
            pin: '2468',
            protocol,
            enableBiometry: true,
          });
        },
        { code: activationCode, app: APP, protocol },
      );
      expect(status).toMatchObject({ activationStatus: 'ACTIVE', protocol, counter: 0 });
      const op = await issuePayload(h, {
        protocol,
        activationId: status.activationId,
        biometry: true,
        proximity: protocol === 4,
      });
      const result = await page.evaluate(async (qr) => {
        const m = (window as unknown as { offcode: typeof import('../src/index.js') }).offcode;
        const token = new m.OffcodeToken({ store: new m.KeyValueTokenStore(localStorage) });
        const scanned = await token.scan(qr);
        const r = await token.approve(scanned, { pin: '2468' });
        let tampered = '';
        try {
          await token.scan(qr.replace('Payment', 'Paymenu'));
        } catch (e) {
          tampered = (e as { code: string }).code;
        }
        return { ...r, allowed: scanned.allowed, tampered };
      }, op.offlineData);
      expect(result.allowed).toEqual(['pin', 'biometry']);
      expect(result.display).toMatch(/^\d{4}-\d{4}-\d{4}-\d{4}$/);
      expect(result.tampered).toBe('SIGNATURE_INVALID');
      expect(await verifyOnServer(h, protocol, status.activationId, op, result.code)).toMatchObject({
        valid: true,
      });
      await page.context().close();
    },
  );
});
