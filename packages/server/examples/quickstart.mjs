// Quick start: PGlite in memory, an application, a simulated V4 device, one payload, one verified code.
import { randomBytes } from 'node:crypto';
import {
  buildPayloadData,
  createCryptoSuite,
  decodeBase64Strict,
  deriveActivationSecretV4,
  deriveKeysV4,
  encodeBase64,
  generateKeyPair,
  normalizedDataForPayload,
  parseOfflinePayloadOrThrow,
  paymentOperationData,
  verifyOfflinePayloadSignature,
  verifyRequestDataForPayload,
} from '@offcode/protocol';
import { createOffcodeServer, loadConfig, openStorage } from '@offcode/server';

// 1. Configuration (same names as the environment variables) and storage with migrations applied.
const { config, errors } = loadConfig({
  OFFCODE_DATA_DIR: 'memory://',
  OFFCODE_MASTER_KEY: randomBytes(32).toString('base64'), // keep yours in a secret store
});
if (errors.length > 0) throw new Error(errors.join('\n'));
const storage = await openStorage(config);
const server = await createOffcodeServer({ config, storage });

// 2. The bank: an application (P-256 + P-384 master keys) and an activation for a user.
await server.applications.create({ applicationId: 'my-bank', commitOnKeyExchange: true });
const init = await server.activations.init({ userId: 'alice', applicationId: 'my-bank' });

// 3. The token (simulated here) with its own crypto suite: key pair, plain key exchange, V4 key derivation.
const suite = createCryptoSuite({ engine: 'auto', impl: 'auto' });
const device = generateKeyPair(suite, 'P-384');
const answer = await server.activations.exchange({
  activationCode: init.activationCode,
  protocolVersion: 4,
  devicePublicKey: encodeBase64(device.publicKey),
});
const keys = deriveKeysV4(
  suite,
  deriveActivationSecretV4(suite, device.privateKey, decodeBase64Strict(answer.serverPublicKey)),
);
let counter = decodeBase64Strict(answer.ctrData);

// 4. The bank: an operation as an offline payload (the QR text).
const data = buildPayloadData({
  operationId: 'op-0001',
  title: 'Payment',
  message: 'Pay 100.00 EUR to CZ2730300000001165254011',
  operationData: paymentOperationData({
    amount: '100.00',
    currency: 'EUR',
    iban: 'CZ2730300000001165254011',
  }),
  flags: {},
});
const { offlineData } = await server.offline.createPersonalized(4, { activationId: init.activationId, data });

// 5. The token scans the QR, checks its MAC (key type 2) and computes the code with PIN-protected keys.
const payload = parseOfflinePayloadOrThrow(offlineData);
if (!verifyOfflinePayloadSignature(suite, payload, { protocol: 4, macKey: keys.macPersonalizedData })) {
  throw new Error('payload not from this server');
}
const code = suite.engine.computeAuthCode({
  protocol: 4,
  keys: [keys.possession, keys.knowledge],
  counter,
  data: normalizedDataForPayload(payload),
});
counter = suite.engine.nextCounter(4, counter); // the token persists this before showing the code

// 6. The bank verifies the code the user typed.
const result = await server.offline.verify(4, {
  activationId: init.activationId,
  data: verifyRequestDataForPayload(payload),
  authenticationCode: code,
});
console.log(result.authenticationValid, result.activationStatus, result.remainingAttempts); // true ACTIVE 5

await server.close();
await storage.close();
