/** The demo routes (server.md §7.1). Pages work without JavaScript, except the software token page. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { httpStatusOf } from '@offcode/fastify';
import { PayloadFormatError } from '@offcode/protocol';
import { OffcodeError, type OffcodeServer } from '@offcode/server';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ApiMetrics } from '../http/metrics.js';
import { TOKEN_PAGE_HELMET } from '../http/security-headers.js';
import { defaultAssetsDir } from './assets.js';
import { checkbox, field, parseForm } from './form.js';
import { DEMO_CSS } from './html.js';
import {
  createDemoOperations,
  DemoInputError,
  type DemoOperations,
  type OperationForm,
} from './operations.js';
import {
  activationPage,
  demoErrorPage,
  enrolFormPage,
  enrolResultPage,
  homePage,
  isFinished,
  operationFormPage,
  operationPage,
  type PageError,
  resultPage,
  type TokenPageConfig,
  tokenPage,
} from './pages.js';
import { renderQrPng, renderQrSvg } from './qr.js';
import { FAVICON_SVG, LOCAL_TIME_JS } from './static.js';
import type { DemoOperation } from './store.js';

export interface DemoOptions {
  /** The server; it must have been created with the demo's table set (`DEMO_TABLES`, ./migrations.ts). */
  offcode: OffcodeServer;
  metrics: ApiMetrics;
  /** The demo application id (OFFCODE_DEMO_APPLICATION). */
  application: string;
  assetsDir?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const sendHtml = (reply: FastifyReply, page: string, status = 200): FastifyReply =>
  reply.code(status).type('text/html; charset=utf-8').send(page);

/**
 * An error a demo page can show (service errors carry safe messages by contract): the message for the
 * reader, the service's code in `data-code` only.
 */
function userMessage(error: unknown): PageError | null {
  if (error instanceof DemoInputError) return { message: error.message };
  if (error instanceof OffcodeError) return { message: error.message, code: error.code };
  if (error instanceof PayloadFormatError) return { message: error.message };
  return null;
}

const statusOf = (error: unknown): number => (error instanceof OffcodeError ? httpStatusOf(error) : 400);

/** What the route groups share. */
interface DemoContext {
  offcode: OffcodeServer;
  application: string;
  operations: DemoOperations;
}

export async function registerDemo(app: FastifyInstance, options: DemoOptions): Promise<void> {
  const { offcode, application } = options;
  const ctx: DemoContext = { offcode, application, operations: createDemoOperations(offcode, application) };
  app.get('/demo', async (_request, reply) => sendHtml(reply, homePage(application)));
  registerEnrolment(app, ctx);
  registerOperationForms(app, ctx);
  registerOperationPages(app, ctx);
  registerTokenPage(app, ctx);
  registerAssets(app, options.assetsDir ?? defaultAssetsDir());
}

/** The enrol form and its result (the activation QR), and the bank's view of an activation. */
function registerEnrolment(app: FastifyInstance, { offcode, application }: DemoContext): void {
  app.get('/demo/enrol', async (_request, reply) => sendHtml(reply, enrolFormPage()));

  app.post('/demo/enrol', async (request, reply) => {
    const form = parseForm(request.body, request.headers['content-type']);
    const userId = field(form, 'userId').trim();
    const protocolVersion = field(form, 'protocolVersion') === '3' ? 3 : 4;
    try {
      const created = await offcode.activations.init({ userId, applicationId: application });
      const signature =
        protocolVersion === 3 ? created.activationSignatures.EC_P256 : created.activationSignatures.EC_P384;
      // PowerAuth's activation QR: "ACTIVATION_CODE#BASE64_SIGNATURE" (signature over the code by the master
      // key of the protocol's curve); the token page reads it (scan or paste) and checks the signature.
      const qrText = `${created.activationCode}#${signature}`;
      const svg = await renderQrSvg(qrText, 'M');
      return sendHtml(
        reply,
        enrolResultPage({
          userId,
          protocolVersion,
          activationId: created.activationId,
          activationCode: created.activationCode,
          qrText,
          qrDataUri: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`,
          application,
        }),
      );
    } catch (error) {
      const message = userMessage(error);
      if (message === null) throw error;
      return sendHtml(
        reply,
        enrolFormPage({ userId, protocolVersion: String(protocolVersion) }, message),
        statusOf(error),
      );
    }
  });

  // The bank's view of one activation: the back office status (REMOVED after the token removed itself).
  app.get<{ Params: { id: string } }>('/demo/activation/:id', async (request, reply) => {
    const id = request.params.id;
    const found = UUID.test(id) ? await offcode.activations.status({ activationId: id.toLowerCase() }) : null;
    // The server answers REMOVED without a user for an id it does not know.
    if (!found || found.userId === null)
      return sendHtml(reply, demoErrorPage('No such activation.', 404), 404);
    return sendHtml(reply, activationPage({ ...found, userId: found.userId }));
  });
}

/** The new-operation form and its submission. */
function registerOperationForms(app: FastifyInstance, { operations }: DemoContext): void {
  app.get('/demo/operation/new', async (_request, reply) => sendHtml(reply, operationFormPage()));

  app.post('/demo/operation', async (request, reply) => {
    const form = parseForm(request.body, request.headers['content-type']);
    const values: OperationForm = {
      userId: field(form, 'userId'),
      kind: field(form, 'kind') === 'non-personalized' ? 'non-personalized' : 'personalized',
      template: field(form, 'template') === 'login' ? 'login' : 'payment',
      amount: field(form, 'amount'),
      currency: field(form, 'currency'),
      iban: field(form, 'iban'),
      note: field(form, 'note'),
      allowBiometry: checkbox(form, 'allowBiometry'),
      proximity: checkbox(form, 'proximity'),
    };
    try {
      const op = await operations.create(values);
      const query = values.proximity && values.kind !== 'personalized' ? '?notice=proximity' : '';
      return reply.redirect(`/demo/operation/${op.id}${query}`, 303);
    } catch (error) {
      const message = userMessage(error);
      if (message === null) throw error;
      return sendHtml(reply, operationFormPage(values, message), statusOf(error));
    }
  });
}

/** An operation's page (or JSON), its QR images, the code submission and the result. */
function registerOperationPages(app: FastifyInstance, { operations }: DemoContext): void {
  async function loadOperation(id: string, reply: FastifyReply): Promise<DemoOperation | null> {
    const op = UUID.test(id) ? await operations.find(id.toLowerCase()) : null;
    if (!op) sendHtml(reply, demoErrorPage('No such operation.', 404), 404);
    return op;
  }

  app.get<{ Params: { id: string }; Querystring: { notice?: string } }>(
    '/demo/operation/:id',
    async (request, reply) => {
      const raw = request.params.id;
      const json = raw.endsWith('.json');
      const op = await loadOperation(json ? raw.slice(0, -5) : raw, reply);
      if (!op) return reply;
      if (json) {
        return reply.type('application/json; charset=utf-8').send({
          id: op.id,
          operationId: op.operationId,
          status: op.status,
          activationId: op.activationId,
          userId: op.userId,
          kind: op.kind,
          protocolVersion: op.protocolVersion,
          offlineData: op.offlineData,
          componentLength: op.componentLength,
          allowBiometry: op.allowBiometry,
          proximity: op.proximitySeed !== null,
          expiresAt: op.expiresAt?.toISOString() ?? null,
          lastResult: op.lastResult,
        });
      }
      // A finished operation shows its outcome, not the code form again.
      if (isFinished(op) && op.lastResult) return sendHtml(reply, resultPage(op, op.lastResult));
      const notice =
        request.query.notice === 'proximity'
          ? 'The proximity check applies to personalized operations only; this one has no TOTP.'
          : undefined;
      return sendHtml(reply, operationPage(op, notice ? { notice } : {}));
    },
  );

  app.get<{ Params: { id: string } }>('/demo/operation/:id/qr.png', async (request, reply) => {
    const op = await loadOperation(request.params.id, reply);
    if (!op) return reply;
    return reply.type('image/png').send(await renderQrPng(op.offlineData));
  });

  app.get<{ Params: { id: string } }>('/demo/operation/:id/qr.svg', async (request, reply) => {
    const op = await loadOperation(request.params.id, reply);
    if (!op) return reply;
    return reply.type('image/svg+xml; charset=utf-8').send(await renderQrSvg(op.offlineData));
  });

  app.post<{ Params: { id: string } }>('/demo/operation/:id/verify', async (request, reply) => {
    const op = await loadOperation(request.params.id, reply);
    if (!op) return reply;
    const form = parseForm(request.body, request.headers['content-type']);
    const typed = field(form, 'code');
    try {
      await operations.verify(op, typed);
      return reply.redirect(`/demo/operation/${op.id}/result`, 303);
    } catch (error) {
      const message = userMessage(error);
      if (message === null) throw error;
      return sendHtml(reply, operationPage(op, { error: message, typed }), statusOf(error));
    }
  });

  app.get<{ Params: { id: string } }>('/demo/operation/:id/result', async (request, reply) => {
    const op = await loadOperation(request.params.id, reply);
    if (!op) return reply;
    if (!op.lastResult) return reply.redirect(`/demo/operation/${op.id}`, 303);
    return sendHtml(reply, resultPage(op, op.lastResult));
  });
}

/** The software token page with the demo application's credentials. */
function registerTokenPage(app: FastifyInstance, { offcode, application }: DemoContext): void {
  /** The demo application's credentials for the token page (what a PowerAuth app has compiled in). */
  async function tokenConfig(): Promise<TokenPageConfig> {
    const detail = await offcode.applications.detail({ applicationId: application });
    const version = detail.versions.find((v) => v.supported) ?? detail.versions[0];
    return {
      application,
      applicationKey: version?.applicationKey ?? '',
      applicationSecret: version?.applicationSecret ?? '',
      masterPublicKeyP256: detail.masterPublicKeys.EC_P256 ?? '',
      masterPublicKeyP384: detail.masterPublicKeys.EC_P384 ?? '',
    };
  }

  // The token page compiles the WebAssembly engine and decodes QR pictures from blob: URLs: its own policy.
  app.get<{ Querystring: { code?: string; protocol?: string } }>(
    '/demo/token',
    { helmet: TOKEN_PAGE_HELMET },
    async (request, reply) => {
      // Room for the QR form CODE#SIGNATURE (a DER P-384 signature is at most 104 bytes).
      const code = typeof request.query.code === 'string' ? request.query.code.slice(0, 200) : '';
      const protocol = typeof request.query.protocol === 'string' ? request.query.protocol : '4';
      return sendHtml(reply, tokenPage(await tokenConfig(), { code, protocol }));
    },
  );
}

/** The stylesheet, the small scripts, the favicon and the built token bundle. */
function registerAssets(app: FastifyInstance, assetsDir: string): void {
  app.get('/demo/assets/demo.css', async (_request, reply) =>
    reply.type('text/css; charset=utf-8').send(DEMO_CSS),
  );
  app.get('/demo/assets/local-time.js', async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').send(LOCAL_TIME_JS),
  );
  app.get('/demo/assets/favicon.svg', async (_request, reply) =>
    reply.type('image/svg+xml; charset=utf-8').send(FAVICON_SVG),
  );

  for (const name of ['token.js', 'token.js.map']) {
    app.get(`/demo/assets/${name}`, async (_request, reply) => {
      const file = join(assetsDir, name);
      if (!existsSync(file)) {
        return reply
          .code(404)
          .type('text/plain; charset=utf-8')
          .send(`${name} is not built: run "pnpm --filter @offcode/api build"`);
      }
      return reply
        .type(name.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'application/json; charset=utf-8')
        .send(readFileSync(file));
    });
  }
}
