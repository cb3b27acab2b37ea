/**
 * PowerAuth 3.3 enrolment (activation.md §3-5), as the PowerAuth mobile SDK 1.9 does it: a temporary ECIES
 * key from `POST /pa/v3/keystore/create` (HS256 request JWT, ES256 answer verified with the master key),
 * then `POST /pa/v3/activation/create` with the device public key in layer 2 (`/pa/activation`) inside
 * layer 1 (`/pa/generic/application`), both encrypted to the temporary key. Requests are written with Gson's
 * escaping, so with the same randomness they equal the Android SDK's bytes.
 */
import {
  type CryptoSuite,
  compressPublicKey,
  encodeBase64,
  isValidName,
  ProtocolError,
  parseActivationCode,
  tryDecodeBase64Strict,
  utf8Decode,
  utf8Encode,
  verifyEcdsaDer,
} from '@offcode/protocol';
import {
  buildEncryptionHeader,
  decryptEciesResponse,
  ECIES_SHARED_INFO1,
  type EciesEnvelope,
  type EciesParameters,
  eciesRequestToJson,
  encryptEciesRequest,
  gsonStringify,
  isActivationId,
  parseEciesResponse,
} from '@offcode/protocol/pa3';
import { zeroize } from '../bytes.js';
import { OffcodeClientError } from '../errors.js';
import { postJson, readEnvelope } from '../http.js';
import { toCurvePoint } from '../points.js';
import { type PowerAuthClient, powerAuthClient, type TemporaryKey } from '../powerauth/client.js';
import type { DeviceDescription } from '../types.js';
import { randomPrivateKey } from './device-key.js';
import type { DeviceKeyPair, ExchangeContext, ExchangedActivation, KeyExchange } from './key-exchange.js';

export interface PowerAuthExchangeInput {
  serverUrl: string;
  activationCode: unknown;
  applicationKey: unknown;
  applicationSecret: unknown;
  /** The pinned application master public key (uncompressed P-256). */
  masterPublicKey: Uint8Array;
  device?: unknown;
}

function invalid(message: string, field: string): never {
  throw new OffcodeClientError('INVALID_INPUT', message, { field });
}

/** APP_KEY / APP_SECRET: the canonical Base64 text of 16 bytes (the text is what ECIES and signatures use). */
export function checkApplicationCredential(value: unknown, field: string): string {
  const bytes = tryDecodeBase64Strict(value);
  if (bytes === null || bytes.length !== 16)
    invalid(`${field} must be the strict Base64 text of 16 bytes`, field);
  return value as string;
}

function checkDevice(value: unknown): DeviceDescription {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null) invalid('device must be an object', 'device');
  const device: DeviceDescription = {};
  for (const key of ['activationName', 'platform', 'deviceInfo'] as const) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined) continue;
    if (!isValidName(v)) invalid(`device.${key} must have 1..255 characters without control characters`, key);
    device[key] = v;
  }
  return device;
}

/**
 * `CODE` or the QR form `CODE#signature`: format and CRC checked, and the signature (DER ECDSA-P256-SHA256
 * over the code, activation.md §5.1) verified with the master key before anything is sent.
 */
function checkActivationCode(suite: CryptoSuite, value: unknown, masterPublicKey: Uint8Array): string {
  const text = typeof value === 'string' ? value : '';
  const hash = text.indexOf('#');
  const code = parseActivationCode(hash < 0 ? text : text.slice(0, hash));
  if (code === null)
    invalid('activation code must be XXXXX-XXXXX-XXXXX-XXXXX with a valid CRC', 'activationCode');
  if (hash >= 0) {
    const signature = tryDecodeBase64Strict(text.slice(hash + 1));
    if (!signature || !verifyEcdsaDer(suite, 'P-256', masterPublicKey, utf8Encode(code), signature)) {
      throw new OffcodeClientError(
        'SIGNATURE_INVALID',
        'the activation code signature does not verify with the application master key',
        { field: 'activationCode' },
      );
    }
  }
  return code;
}

export function powerAuthExchange(suite: CryptoSuite, input: PowerAuthExchangeInput): KeyExchange {
  const applicationKey = checkApplicationCredential(input.applicationKey, 'applicationKey');
  const applicationSecret = checkApplicationCredential(input.applicationSecret, 'applicationSecret');
  const device = checkDevice(input.device);
  const activationCode = checkActivationCode(suite, input.activationCode, input.masterPublicKey);
  const config = { serverUrl: input.serverUrl, applicationKey, applicationSecret };
  return {
    mechanism: 'powerauth',
    protocol: 3,
    tokenState: (keys) => ({ applicationKey, applicationSecret, transportKey: keys.transport!.slice() }),
    async exchange(ctx: ExchangeContext, deviceKeys: DeviceKeyPair): Promise<ExchangedActivation> {
      const client = powerAuthClient(ctx, config);
      const temporaryKey = await client.temporaryKey(input.masterPublicKey);
      const layer2 = await createActivation(client, temporaryKey, {
        code: activationCode,
        devicePublicKey: compressPublicKey('P-256', deviceKeys.publicKey),
        device,
      });
      return { ...layer2, masterPublicKey: input.masterPublicKey };
    },
  };
}

const bad = (what: string, e?: unknown): never => {
  const detail = e instanceof ProtocolError ? `: ${e.message}` : '';
  throw new OffcodeClientError('ACTIVATION_FAILED', `invalid activation/create answer: ${what}${detail}`, {
    cause: e,
  });
};

/** Encrypts one layer to the temporary key with the token's randomness and synchronized clock. */
function encryptLayer(
  client: PowerAuthClient,
  key: TemporaryKey,
  sharedInfo1: EciesParameters['sharedInfo1'],
  plaintext: string,
) {
  const ephemeralPrivateKey = randomPrivateKey(client.ctx.random, 3);
  try {
    return encryptEciesRequest(client.ctx.suite, client.eciesParameters(sharedInfo1), {
      recipientPublicKey: key.publicKey,
      temporaryKeyId: key.keyId,
      plaintext: utf8Encode(plaintext),
      ephemeralPrivateKey,
      nonce: client.randomBytes(16),
      timestamp: client.serverTime(),
    });
  } finally {
    zeroize(ephemeralPrivateKey);
  }
}

function decryptLayer(client: PowerAuthClient, envelope: EciesEnvelope, body: unknown, what: string) {
  try {
    const text = utf8Decode(decryptEciesResponse(client.ctx.suite, envelope, parseEciesResponse(body)));
    return JSON.parse(text) as unknown;
  } catch (e) {
    return bad(what, e);
  }
}

async function createActivation(
  client: PowerAuthClient,
  key: TemporaryKey,
  input: { code: string; devicePublicKey: Uint8Array; device: DeviceDescription },
): Promise<Omit<ExchangedActivation, 'masterPublicKey'>> {
  const layer2Json = gsonStringify({ devicePublicKey: encodeBase64(input.devicePublicKey), ...input.device });
  const inner = encryptLayer(client, key, ECIES_SHARED_INFO1.activationLayer2, layer2Json);
  const layer1Json = gsonStringify({
    type: 'CODE',
    identityAttributes: { code: input.code },
    activationData: eciesRequestToJson(inner.request),
  });
  const outer = encryptLayer(client, key, ECIES_SHARED_INFO1.applicationGeneric, layer1Json);
  const envelopes = [inner.envelope, outer.envelope];
  try {
    const { httpStatus, json } = await postJson(
      client.ctx.fetch,
      `${client.serverUrl}/pa/v3/activation/create`,
      gsonStringify(eciesRequestToJson(outer.request)),
      {
        timeoutMs: client.ctx.timeoutMs,
        headers: {
          'x-powerauth-encryption': buildEncryptionHeader({ applicationKey: client.applicationKey }),
        },
      },
    );
    if (httpStatus < 200 || httpStatus > 299) client.refused(readEnvelope(httpStatus, json), 'activation');
    const layer1 = decryptLayer(client, outer.envelope, json, 'layer 1');
    const activationData = (layer1 as { activationData?: unknown } | null)?.activationData;
    return readLayer2(decryptLayer(client, inner.envelope, activationData, 'layer 2'));
  } finally {
    for (const e of envelopes) zeroize(e.encKey, e.macKey, e.ivKey);
  }
}

/** `{activationId, serverPublicKey, ctrData, activationRecovery}` of layer 2 (activation.md §5.3 step 9). */
function readLayer2(value: unknown): Omit<ExchangedActivation, 'masterPublicKey'> {
  const r = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (!isActivationId(r.activationId)) bad('activationId must be a lower-case UUID');
  const rawKey = typeof r.serverPublicKey === 'string' ? tryDecodeBase64Strict(r.serverPublicKey) : null;
  const serverPublicKey = rawKey ? toCurvePoint(3, rawKey) : undefined;
  if (!serverPublicKey) bad('serverPublicKey must be a P-256 public key');
  const ctrData = typeof r.ctrData === 'string' ? tryDecodeBase64Strict(r.ctrData) : null;
  if (ctrData?.length !== 16) bad('ctrData must be Base64 of 16 bytes');
  return {
    activationId: r.activationId as string,
    // The answer does not say whether the server committed at once: the token reads the status next.
    activationStatus: 'PENDING_COMMIT',
    statusKnown: false,
    serverPublicKey: serverPublicKey as Uint8Array,
    ctrData: ctrData as Uint8Array,
    componentLength: 8,
  };
}
