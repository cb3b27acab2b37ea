// A bank's back end on plain node:http calling @offcode/server in-process (docs/guides/in-process.md):
// enrol a user, the device-facing PowerAuth activation endpoints, a payment as an offline QR payload and the
// code the user typed. Offcode settings come from the environment (docs/settings.md); PORT and HOST choose the
// socket, BANK_APPLICATION the application. Run: `node node-http-bank.mjs`, stop with Ctrl+C or SIGTERM.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { isOffcodeError, OffcodeBaseError } from '@offcode/errors';
import {
  buildPayloadData,
  parseOfflinePayloadOrThrow,
  paymentOperationData,
  verifyRequestDataForPayload,
} from '@offcode/protocol';
import { createOffcodeServer, isEnrollmentError, loadConfig, openStorage } from '@offcode/server';

const APPLICATION = process.env.BANK_APPLICATION ?? 'my-bank';
// Bad settings: one line each naming the variable (never a secret's value), exit 2, nothing started.
const { config, errors, warnings } = loadConfig(process.env);
for (const line of [...warnings, ...errors]) console.error(line);
if (errors.length > 0) process.exit(2);
const storage = await openStorage(config);
const offcode = await createOffcodeServer({ config, storage });
offcode.maintenance.start((error) => console.error('offcode sweep failed:', error.code ?? error.message));

// The application the mobile app is built for; created on the first start (commit by the bank, see /commit).
async function mobileApplication() {
  const detail = () => offcode.applications.detail({ applicationId: APPLICATION });
  try {
    return await detail();
  } catch (error) {
    if (error.code !== 'ERR0015') throw error; // ERR0015: no such application yet
  }
  await offcode.applications.create({ applicationId: APPLICATION }).catch((error) => {
    if (error.code !== 'ERR0043') throw error; // another instance created it meanwhile
  });
  return detail();
}
const application = await mobileApplication();

// Payments waiting for a code: your database in a real bank (any instance may serve the confirmation).
const payments = new Map();
const bankError = (code, field, message) => new OffcodeBaseError('input', code, message, { field });

// The bank's own routes. Put your session check in front of them: the user id comes from the session.
const bankRoutes = {
  // The values every build of the mobile app is configured with (docs/guides/powerauth-mobile-sdk.md).
  'GET /bank/mobile-config': async () => {
    const version = application.versions.find((v) => v.supported);
    return {
      applicationKey: version.applicationKey,
      applicationSecret: version.applicationSecret,
      masterServerPublicKey: application.masterPublicKey,
    };
  },
  // Internet banking shows the activation code, or the QR `CODE#signature` the SDK checks before sending it.
  'POST /bank/enrol': async (body) => {
    const init = await offcode.activations.init({ userId: body.userId, applicationId: APPLICATION });
    const { activationId, activationCode, activationSignature } = init;
    return { activationId, activationCode, activationQr: `${activationCode}#${activationSignature}` };
  },
  // After the app enrolled (PENDING_COMMIT), the user confirms in internet banking; then the bank commits.
  'POST /bank/enrol/commit': async (body) => {
    const before = await offcode.activations.status({ activationId: body.activationId });
    if (before.activationStatus === 'PENDING_COMMIT') {
      await offcode.activations.commit({ activationId: body.activationId });
    }
    const after = await offcode.activations.status({ activationId: body.activationId });
    return { activationId: after.activationId, activationStatus: after.activationStatus };
  },
  // A payment to approve offline: the QR text goes to the user's screen, the token computes the code.
  'POST /bank/payments': async (body) => {
    const { activationId, amount, currency, iban } = body;
    const status = await offcode.activations.status({ activationId });
    const paymentId = randomUUID();
    const data = buildPayloadData({
      operationId: paymentId,
      title: 'Payment',
      message: `Pay ${amount} ${currency} to ${iban}`,
      operationData: paymentOperationData({ amount, currency, iban }),
      flags: {},
    });
    const version = status.protocolVersion ?? 3; // null while not enrolled: the create then refuses (ERR0008)
    const { offlineData } = await offcode.offline.createPersonalized(version, { activationId, data });
    const verifyData = verifyRequestDataForPayload(parseOfflinePayloadOrThrow(offlineData));
    payments.set(paymentId, { activationId, version, verifyData });
    return { paymentId, qr: offlineData };
  },
  // The code as the user typed it ("8064 5777 7477 9172", "80645777-74779172", ...).
  'POST /bank/payments/confirm': async (body) => {
    const payment = payments.get(body.paymentId);
    if (!payment) throw bankError('UNKNOWN_PAYMENT', 'paymentId', 'paymentId - no such payment');
    const outcome = await offcode.offline.verifyTyped(payment.version, {
      activationId: payment.activationId,
      data: payment.verifyData,
      typedCode: body.code,
    });
    if (outcome.valid) payments.delete(body.paymentId);
    // BLOCKED: tell the user to unblock in the branch or internet banking; no retry.
    const { valid: approved, activationStatus, remainingAttempts } = outcome;
    return { approved, activationStatus, remainingAttempts };
  },
};

// The device-facing PowerAuth 3.3 endpoints (no bank session: the device's own cryptography protects them).
const deviceRoutes = {
  'POST /pa/v3/keystore/create': 'keystoreCreate',
  'POST /pa/v3/activation/create': 'activationCreate',
  'POST /pa/v3/activation/status': 'activationStatus',
  'POST /pa/v3/activation/remove': 'activationRemove',
};

const BODY_LIMIT = 65536;
async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size <= BODY_LIMIT) chunks.push(chunk); // read to the end so that the 400 reaches the client
  }
  if (size > BODY_LIMIT) throw bankError('BODY_TOO_LARGE', 'body', `body - exceeds ${BODY_LIMIT} bytes`);
  return new Uint8Array(Buffer.concat(chunks));
}

function parseJsonObject(bytes) {
  let value;
  try {
    value = bytes.length === 0 ? {} : JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    value = null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw bankError('BAD_JSON', 'body', 'body - must be a JSON object');
  }
  return value;
}

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

// One mapping for every error, by its `kind` (no class names): the caller's input or a refusal by state or
// rule → 400 with code, field and message (never a secret); busy database → 503; anything else → 500.
function sendError(res, error) {
  if (isOffcodeError(error) && (error.kind === 'input' || error.kind === 'rejected')) {
    return send(res, 400, { code: error.code, field: error.field, message: error.message });
  }
  if (isOffcodeError(error) && error.kind === 'unavailable') {
    return send(res, 503, { code: error.code, message: 'busy, retry' });
  }
  console.error('internal error:', error); // the details go to your log only
  return send(res, 500, { code: 'INTERNAL', message: 'internal error' });
}

// PowerAuth's own envelope for the SDK: ERR_AUTHENTICATION → 401, the other refusals → 400.
function sendEnrollmentError(res, error) {
  const status = error.code === 'ERR_AUTHENTICATION' ? 401 : 400;
  send(res, status, { status: 'ERROR', responseObject: error.toResponseObject() });
}

// A header sent twice becomes '' (refused by the service), never a joined value.
const header = (req, name) => {
  const values = req.headersDistinct[name];
  return values === undefined ? undefined : values.length === 1 ? values[0] : '';
};

async function handle(req, res) {
  const route = `${req.method} ${new URL(req.url, 'http://localhost').pathname}`;
  try {
    const body = await readBody(req);
    const method = deviceRoutes[route];
    if (method) {
      const headers = {};
      const encryption = header(req, 'x-powerauth-encryption');
      const authorization = header(req, 'x-powerauth-authorization');
      if (encryption !== undefined) headers.encryption = encryption;
      if (authorization !== undefined) headers.authorization = authorization;
      // The service reads the raw bytes: remove's signature covers them exactly as sent.
      return send(res, 200, await offcode.enrollment[method]({ body, headers }));
    }
    const bankRoute = bankRoutes[route];
    if (!bankRoute) return send(res, 404, { code: 'NOT_FOUND', message: 'no such route' });
    return send(res, 200, await bankRoute(parseJsonObject(body)));
  } catch (error) {
    if (isEnrollmentError(error)) return sendEnrollmentError(res, error);
    return sendError(res, error);
  }
}

const http = createServer((req, res) => void handle(req, res));
http.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? '127.0.0.1', () => {
  const { address, port } = http.address();
  console.log(`listening on http://${address}:${port}`);
});

// Finish the requests in flight, then close the services and the database.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    http.close(async () => {
      await offcode.close();
      await storage.close();
      console.log('stopped');
    });
    http.closeIdleConnections();
  });
}
