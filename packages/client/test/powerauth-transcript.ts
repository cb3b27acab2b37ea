/**
 * The recorded PowerAuth SDK 1.9.2 session (test-vectors/v3/activation/activation-transcript.json) as the
 * token's counterpart: a fetch that answers each recorded request with the recorded response when the token's
 * request equals the SDK's byte for byte (path, body, PowerAuth header), and the randomness and clock the
 * SDK used, queued in the order the token draws them.
 */
import { readVector } from '@offcode/test-harness/vectors';
import type { FetchLike } from '../src/http.js';
import { b64, hex } from './helpers.js';

interface RecordedStep {
  path: string;
  requestBody: string;
  responseBody: string;
}
interface EciesLayer {
  input: { ephemeralKeyPair: { privateKeyHex: string }; requestNonceHex: string; requestTimestamp: number };
}
interface StatusStep extends RecordedStep {
  challengeBase64: string;
  serverBlob: { serverCtrDataBase64: string; ctrByte: number };
}

export interface Transcript {
  application: {
    applicationKey: string;
    applicationSecret: string;
    masterServerKeyPair: { privateKeyHex: string; publicKeyBase64: string };
  };
  serverPreparation: { activationCode: string; qrCodeContent: string };
  secrets: {
    temporaryKeyPair: { iat_ms: number };
    deviceKeyPair: { privateKeyHex: string; publicKeyBase64: string };
    serverKeyPair: { publicKeyUncompressedBase64: string };
    activationId: string;
    ctrDataBase64: string;
    derivedKeys: Record<string, string>;
  };
  steps: {
    '1_keystoreCreate': RecordedStep & { requestJwtPayloadJson: string };
    '2_activationCreate': RecordedStep & {
      requestHeaderXPowerAuthEncryptionAndroid: string;
      layer1Ecies: EciesLayer;
      layer2Ecies: EciesLayer;
      sdkActivationFingerprint: string;
    };
    '3_activationStatus': StatusStep;
    '4_offlineSignature': { nonceBase64: string; dataUtf8: string; signature: string; ctrDataBase64: string };
    '5_activationStatusAfterOfflineSignature': StatusStep;
    '6_activationRemove': RecordedStep & { headerValue: string; nonceBase64: string; ctrDataBase64: string };
  };
}

export const transcript = readVector<{ transcript: Transcript }>(
  'v3/activation/activation-transcript.json',
).transcript;
export const T = transcript;
export const STEPS = transcript.steps;
export const CREATE = STEPS['2_activationCreate'];

/** The transcript's keystore challenge (inside the request JWT's payload). */
export const KEYSTORE_CHALLENGE = b64(
  (JSON.parse(STEPS['1_keystoreCreate'].requestJwtPayloadJson) as { challenge: string }).challenge,
);

export interface SeenRequest {
  path: string;
  body: string;
  headers: Record<string, string>;
}

export interface ReplayStep {
  path: string;
  requestBody: string;
  responseBody: string;
  /** A header the request must carry with exactly this value (lower-case name). */
  header?: [string, string];
  /** Answer with this instead of the recorded response (negative cases). */
  answer?: { status: number; body: string };
}

/**
 * A transport that plays the server of the transcript. A request that differs from the expected one (or
 * comes when none is expected) is answered with a PowerAuth error envelope, so the flow fails visibly.
 */
export function replayServer(steps: ReplayStep[]): {
  fetch: FetchLike;
  seen: SeenRequest[];
  left: () => number;
} {
  const queue = [...steps];
  const seen: SeenRequest[] = [];
  const fetch: FetchLike = async (url, init) => {
    const path = new URL(url).pathname;
    seen.push({ path, body: init.body, headers: init.headers });
    const next = queue.shift();
    const matches =
      next !== undefined &&
      next.path === path &&
      next.requestBody === init.body &&
      init.headers['content-type'] === 'application/json' &&
      init.headers.accept === 'application/json' &&
      (next.header === undefined || init.headers[next.header[0]] === next.header[1]);
    if (!matches) {
      const body = '{"status":"ERROR","responseObject":{"code":"TEST_UNEXPECTED_REQUEST","message":"x"}}';
      return { status: 400, text: async () => body };
    }
    const answer = next.answer ?? { status: 200, body: next.responseBody };
    return { status: answer.status, text: async () => answer.body };
  };
  return { fetch, seen, left: () => queue.length };
}

export const keystoreStep = (): ReplayStep => ({ ...STEPS['1_keystoreCreate'] });
export const createStep = (): ReplayStep => ({
  ...CREATE,
  header: ['x-powerauth-encryption', CREATE.requestHeaderXPowerAuthEncryptionAndroid],
});
export const statusStep = (which: '3_activationStatus' | '5_activationStatusAfterOfflineSignature') => ({
  ...STEPS[which],
});
export const removeStep = (): ReplayStep => ({
  ...STEPS['6_activationRemove'],
  header: ['x-powerauth-authorization', STEPS['6_activationRemove'].headerValue],
});

/** A random source handing out `values` in order; a draw of another length throws. */
export function queuedRandom(values: Uint8Array[]): ((n: number) => Uint8Array) & { left: () => number } {
  const queue = [...values];
  const random = (n: number): Uint8Array => {
    const v = queue.shift();
    if (v === undefined) throw new Error('the random queue is empty');
    if (v.length !== n) throw new Error(`the token drew ${n} bytes where ${v.length} were queued`);
    return v.slice();
  };
  return Object.assign(random, { left: () => queue.length });
}

/** The salt the token draws for the PIN wrap (the SDK's local PIN protection is not in the transcript). */
export const PIN_SALT = hex('11'.repeat(16));

/** The randomness of activate, in the token's order: device key, keystore challenge, layer 2, layer 1, PIN salt. */
export function activationRandomness(): Uint8Array[] {
  const layer = (l: EciesLayer) => [
    hex(l.input.ephemeralKeyPair.privateKeyHex),
    hex(l.input.requestNonceHex),
  ];
  return [
    hex(T.secrets.deviceKeyPair.privateKeyHex),
    KEYSTORE_CHALLENGE,
    ...layer(CREATE.layer2Ecies),
    ...layer(CREATE.layer1Ecies),
    PIN_SALT,
  ];
}

/** A device clock `skewMs` off the SDK's server-synchronized clock: answers keystore receipt, layer 2, layer 1. */
export function deviceClock(skewMs: number): () => Date {
  const iat = T.secrets.temporaryKeyPair.iat_ms;
  const times = [
    iat,
    CREATE.layer2Ecies.input.requestTimestamp,
    CREATE.layer1Ecies.input.requestTimestamp,
  ].map((t) => t + skewMs);
  return () => new Date(times.shift() ?? Date.UTC(2024, 11, 8, 9, 30));
}

/** The activate input of the transcript (QR form of the code, Android device description). */
export function activateInput(serverUrl = 'https://bank.example') {
  return {
    serverUrl,
    activationCode: T.serverPreparation.qrCodeContent,
    pin: '1234',
    applicationKey: T.application.applicationKey,
    applicationSecret: T.application.applicationSecret,
    masterPublicKey: T.application.masterServerKeyPair.publicKeyBase64,
    device: { activationName: 'Pixel 7', platform: 'Android', deviceInfo: 'Google Pixel 7' },
  };
}
