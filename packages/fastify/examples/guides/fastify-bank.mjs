// A bank's Fastify app with the PowerAuth-compatible routes mounted under /offcode (docs/guides/fastify-plugin.md)
// next to its own routes, which call the same services in-process: enrol a user, commit, a payment as an
// offline QR payload and the code the user typed. Offcode settings come from the environment (docs/settings.md);
// PORT and HOST choose the socket, BANK_APPLICATION the application, BANK_OFFCODE_CREDENTIALS
// ("token:secret,…") the HTTP Basic pairs of the protected /offcode/rest routes. Stop with Ctrl+C or SIGTERM.
import { randomUUID } from 'node:crypto';
import { isOffcodeError, OffcodeBaseError } from '@offcode/errors';
import { offcodeRoutes } from '@offcode/fastify';
import {
  buildPayloadData,
  parseOfflinePayloadOrThrow,
  paymentOperationData,
  verifyRequestDataForPayload,
} from '@offcode/protocol';
import { createOffcodeServer, loadConfig, openStorage } from '@offcode/server';
import Fastify from 'fastify';

const APPLICATION = process.env.BANK_APPLICATION ?? 'my-bank';
const credentials = (process.env.BANK_OFFCODE_CREDENTIALS ?? '')
  .split(',')
  .filter((pair) => pair !== '')
  .map((pair) => ({ token: pair.slice(0, pair.indexOf(':')), secret: pair.slice(pair.indexOf(':') + 1) }));

// Bad settings: one line each naming the variable (never a secret's value), exit 2, nothing started.
const { config, errors, warnings } = loadConfig(process.env);
for (const line of [...warnings, ...errors]) console.error(line);
if (errors.length > 0) process.exit(2);
const storage = await openStorage(config);
const offcode = await createOffcodeServer({ config, storage });
offcode.maintenance.start((error) => console.error('offcode sweep failed:', error.code ?? error.message));
await offcode.applications.create({ applicationId: APPLICATION }).catch((error) => {
  if (error.code !== 'ERR0043') throw error; // ERR0043: it exists already (an earlier start)
});

// Payments waiting for a code: your database in a real bank (any instance may serve the confirmation).
const payments = new Map();
const bankError = (code, field, message) => new OffcodeBaseError('input', code, message, { field });

// One mapping for every error of the bank's routes, by `kind` (no class names): the caller's input or a
// refusal by state or rule → 400 with code, field and message (never a secret); a busy database → 503;
// Fastify's own 4xx (malformed JSON, wrong content type, body too large) → 400 naming the body.
function bankErrorHandler(error, request, reply) {
  if (isOffcodeError(error) && (error.kind === 'input' || error.kind === 'rejected')) {
    return reply.code(400).send({ code: error.code, field: error.field, message: error.message });
  }
  if (isOffcodeError(error) && error.kind === 'unavailable') {
    return reply.code(503).send({ code: error.code, message: 'busy, retry' });
  }
  if (!isOffcodeError(error) && error.statusCode >= 400 && error.statusCode < 500) {
    return reply.code(400).send({ code: 'BAD_REQUEST', field: 'body', message: 'body - could not be read' });
  }
  request.log.error(error); // the details go to your log only
  return reply.code(500).send({ code: 'INTERNAL', message: 'internal error' });
}

// The bank's own routes. Put your session check in front of them: the user id comes from the session.
async function bankRoutes(bank) {
  bank.setErrorHandler(bankErrorHandler);
  // Internet banking shows the activation code, or the QR `CODE#signature` the SDK checks before sending it.
  bank.post('/enrol', async (request) => {
    const body = request.body ?? {};
    const init = await offcode.activations.init({ userId: body.userId, applicationId: APPLICATION });
    const { activationId, activationCode, activationSignature } = init;
    return { activationId, activationCode, activationQr: `${activationCode}#${activationSignature}` };
  });
  // After the token enrolled (PENDING_COMMIT), the user confirms in internet banking; then the bank commits.
  bank.post('/enrol/commit', async (request) => {
    const { activationId } = request.body ?? {};
    const before = await offcode.activations.status({ activationId });
    if (before.activationStatus === 'PENDING_COMMIT') await offcode.activations.commit({ activationId });
    const after = await offcode.activations.status({ activationId });
    return { activationId: after.activationId, activationStatus: after.activationStatus };
  });
  // A payment to approve offline: the QR text goes to the user's screen, the token computes the code.
  bank.post('/payments', async (request) => {
    const { activationId, amount, currency, iban } = request.body ?? {};
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
  });
  // The code as the user typed it ("8064 5777 7477 9172", "80645777-74779172", ...).
  bank.post('/payments/confirm', async (request) => {
    const { paymentId, code } = request.body ?? {};
    const payment = payments.get(paymentId);
    if (!payment) throw bankError('UNKNOWN_PAYMENT', 'paymentId', 'paymentId - no such payment');
    const outcome = await offcode.offline.verifyTyped(payment.version, {
      activationId: payment.activationId,
      data: payment.verifyData,
      typedCode: code,
    });
    if (outcome.valid) payments.delete(paymentId);
    // BLOCKED: tell the user to unblock in the branch or internet banking; no retry.
    const { valid: approved, activationStatus, remainingAttempts } = outcome;
    return { approved, activationStatus, remainingAttempts };
  });
}

// return503OnClosing false: during the drain the plugin answers 503 OFF-0003 in the envelope itself.
const app = Fastify({ return503OnClosing: false });
await app.register(bankRoutes, { prefix: '/bank' });
await app.register(offcodeRoutes, {
  server: offcode,
  credentials, // the protected /offcode/rest/** routes; device-facing routes never need them
  prefix: '/offcode', // the SDK's base URL is https://<host>/offcode (it appends /pa/v3/...)
  mount: { docs: false },
});
const address = await app.listen({
  port: Number(process.env.PORT ?? 3000),
  host: process.env.HOST ?? '127.0.0.1',
});
console.log(`listening on ${address}`);

// Finish the requests in flight, then close the services and the database.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    await app.close();
    await offcode.close();
    await storage.close();
    console.log('stopped');
  });
}
