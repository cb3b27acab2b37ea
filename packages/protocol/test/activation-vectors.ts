/**
 * Loader of the PowerAuth 3.3 activation vectors (`test-vectors/v3/activation/`, a byte-identical copy of
 * the shared files, so a clone without /work/shared passes), the crypto suites every file is replayed on,
 * and a call-counting engine wrapper.
 */

import { hexToBytes } from '@noble/hashes/utils.js';
import {
  getNobleCrypto,
  getWasmCrypto,
  OFFCODE_CRYPTO_METHODS,
  type OffcodeCrypto,
} from '@offcode/crypto-wasm';
import { decodeBase64Strict } from '../src/base64.js';
import type { CryptoSuite } from '../src/suite.js';
import { readJsonVector } from './vectors.js';

export function readActivationVector<T>(name: string): T {
  return readJsonVector<T>(`v3/activation/${name}`);
}

/** Strict standard Base64 (the vector convention for fields without a Hex suffix). */
export const b64 = (text: string): Uint8Array => decodeBase64Strict(text);
/** Hex, including the few key fields that carry hex without a `Hex` suffix (KEY_TRANSPORT, derivedKeys). */
export const hx = (text: string): Uint8Array => hexToBytes(text);

/** Both engines times both EC/AES implementations. */
export const SUITES: readonly (CryptoSuite & { name: string })[] = [
  { name: 'wasm+node', engine: getWasmCrypto(), impl: 'node' },
  { name: 'wasm+noble', engine: getWasmCrypto(), impl: 'noble' },
  { name: 'noble+node', engine: getNobleCrypto(), impl: 'node' },
  { name: 'noble+noble', engine: getNobleCrypto(), impl: 'noble' },
];

const ENGINE_METHODS = OFFCODE_CRYPTO_METHODS;

/** An engine that forwards to `inner` and counts the calls per method. */
export function countingEngine(inner: OffcodeCrypto): {
  engine: OffcodeCrypto;
  calls: Record<string, number>;
} {
  const calls: Record<string, number> = {};
  const engine = { backend: inner.backend } as Record<string, unknown>;
  for (const method of ENGINE_METHODS) {
    calls[method] = 0;
    engine[method] = (...args: unknown[]) => {
      calls[method]! += 1;
      return (inner[method] as (...a: unknown[]) => unknown)(...args);
    };
  }
  return { engine: engine as unknown as OffcodeCrypto, calls };
}

export interface KeyPairVector {
  privateKeyHex: string;
  publicKeyBase64: string;
}

export interface ActivationVector {
  activationId: string;
  deviceKeyPair: KeyPairVector;
  serverKeyPair: KeyPairVector;
  ctrDataInitialBase64: string;
  derivedKeys: Record<
    | 'KEY_MASTER_SECRET'
    | 'KEY_SIGNATURE_POSSESSION'
    | 'KEY_SIGNATURE_KNOWLEDGE'
    | 'KEY_SIGNATURE_BIOMETRY'
    | 'KEY_TRANSPORT'
    | 'KEY_ENCRYPTION_VAULT',
    string
  >;
}

export interface ApplicationVector {
  applicationKey: string;
  applicationSecret: string;
  masterServerKeyPair: KeyPairVector;
}

export interface EciesCase {
  id: string;
  input: {
    scope: 'application' | 'activation';
    recipientTemporaryKeyPair: KeyPairVector;
    recipientPublicKeyAsGivenToSdkBase64: string;
    recipientPublicKeyGivenUncompressed: boolean;
    temporaryKeyId: string;
    applicationKey: string;
    applicationSecret: string;
    activationId?: string;
    KEY_TRANSPORT?: string;
    sharedInfo1: string;
    ephemeralKeyPair: KeyPairVector;
    requestNonceHex: string;
    requestTimestamp: number;
    requestPlaintextHex: string;
    responsePlaintextHex: string;
    responseNonceHex: string;
    responseTimestamp: number;
  };
  derived: Record<
    | 'associatedDataHex'
    | 'sharedInfo2BaseHex'
    | 'ecdhSharedSecretHex'
    | 'kdfSharedInfoHex'
    | 'envelopeKeyHex'
    | 'encKeyHex'
    | 'macKeyHex'
    | 'ivKeyHex'
    | 'requestIvHex'
    | 'requestMacDataSuffixHex'
    | 'responseIvHex'
    | 'responseMacDataSuffixHex',
    string
  >;
  output: {
    ephemeralPublicKey: string;
    encryptedData: string;
    mac: string;
    nonce: string;
    timestamp: number;
    requestJsonAndroidGson: string;
    httpHeaderAndroid: string;
    httpHeaderIos: string;
    response: { encryptedData: string; mac: string; nonce: string; timestamp: number; responseJson: string };
  };
  javaServerRandomResponse?: { encryptedData: string; mac: string; nonce: string; timestamp: number };
  activation?: ActivationVector;
}

export interface HsCase {
  id: string;
  application: ApplicationVector;
  activation?: ActivationVector;
  input: {
    scope: 'application' | 'activation';
    applicationKey: string;
    activationId?: string;
    challenge: string;
    KEY_TRANSPORT?: string;
  };
  derived: { hmacKeyHex: string; headerBase64Url: string; payloadJson: string; signingInput: string };
  output: { signatureHex: string; jwt: string; requestBodyAndroidGson: string };
}

/** One ES256 case in a common shape (the SDK-signed and the Java-signed cases are written differently). */
export interface EsCase {
  id: string;
  scope: 'application' | 'activation';
  signerPublicKeyBase64: string;
  signerPrivateKeyHex: string;
  /** The other role's key (master vs. activation server key), which must not verify. */
  otherRolePublicKeyBase64?: string;
  claimsJson: string;
  signingInput: string;
  signatureDerHex: string;
  signatureJoseHex: string;
  jwt: string;
}

interface EsFileCase {
  id: string;
  scope?: 'application' | 'activation';
  application?: ApplicationVector;
  activation?: ActivationVector;
  input?: { scope: 'application' | 'activation'; claimsJson: string };
  output?: { signingInput: string; signatureDerHex: string; signatureJoseHex: string; jwt: string };
  signerPublicKeyBase64?: string;
  signerPrivateKeyHex?: string;
  claimsJson?: string;
  signingInput?: string;
  signatureDerHex?: string;
  signatureJoseHex?: string;
  jwt?: string;
}

export function readEsCases(): EsCase[] {
  const file = readActivationVector<{ cases: EsFileCase[] }>('keystore-jwt-es256-response.json');
  return file.cases.map((c) => {
    if (c.input && c.output) {
      const master = c.application!.masterServerKeyPair.publicKeyBase64;
      const server = c.activation?.serverKeyPair.publicKeyBase64;
      const scope = c.input.scope;
      return {
        id: c.id,
        scope,
        signerPublicKeyBase64: scope === 'application' ? master : server!,
        signerPrivateKeyHex:
          scope === 'application'
            ? c.application!.masterServerKeyPair.privateKeyHex
            : c.activation!.serverKeyPair.privateKeyHex,
        otherRolePublicKeyBase64: scope === 'application' ? server : master,
        claimsJson: c.input.claimsJson,
        ...c.output,
      };
    }
    return {
      id: c.id,
      scope: c.scope!,
      signerPublicKeyBase64: c.signerPublicKeyBase64!,
      signerPrivateKeyHex: c.signerPrivateKeyHex!,
      claimsJson: c.claimsJson!,
      signingInput: c.signingInput!,
      signatureDerHex: c.signatureDerHex!,
      signatureJoseHex: c.signatureJoseHex!,
      jwt: c.jwt!,
    };
  });
}

export interface StatusCase {
  id: string;
  input: {
    KEY_TRANSPORT: string;
    challengeBase64: string;
    nonceBase64: string;
    fields: {
      activationStatus: number;
      currentVersion: number;
      upgradeVersion: number;
      reservedHex: string;
      ctrByte: number;
      failedAttempts: number;
      maxFailedAttempts: number;
      ctrLookAhead: number;
    };
    serverCtrDataBase64: string;
    clientCtrDataBase64: string;
    serverAheadBySteps: number;
  };
  derived: {
    KEY_TRANSPORT_IV: string;
    KEY_TRANSPORT_CTR: string;
    statusIvHex: string;
    ctrDataHashHex: string;
    statusBlobPlaintextHex: string;
  };
  output: { encryptedStatusBlob: string; encryptedStatusBlobHex: string };
  sdkParsed: SdkParsedBlob;
  sdkChecks: { sdkHashCounterDistance: number };
  javaServerBlob: {
    encryptedStatusBlob: string;
    reservedHex: string;
    plaintextHex: string;
    sdkParsed: SdkParsedBlob;
  };
}

export interface SdkParsedBlob {
  state: number;
  currentVersion: number;
  upgradeVersion: number;
  failCount: number;
  maxFailCount: number;
  lookAheadCount: number;
  ctrByte: number;
  ctrDataHashHex: string;
}

export interface StatusFile {
  cases: StatusCase[];
  upstreamVectorResults: {
    'activation-status-blob-data.json': {
      id: string;
      decryptedPlaintextHex: string;
      sdkParsed: SdkParsedBlob;
    }[];
  };
}

export interface FingerprintCase {
  id: string;
  devicePublicKeyBase64: string;
  serverPublicKeyBase64: string;
  activationId: string;
  deviceXHex: string;
  serverXHex: string;
  deviceXLength: number;
  serverXLength: number;
  fingerprintDataHex: string;
  fingerprint: string;
}

export interface SignedRequestVector {
  id: string;
  method: string;
  uriId: string;
  bodyHex: string;
  signatureType: string;
  ctrDataBase64: string;
  nonceBase64: string;
  normalizedData: string;
  signature: string;
  headerValue: string;
  version: string;
  activationIdInHeader: string;
  applicationKeyInHeader: string;
  serverStoredCtrDataBase64: string;
  serverLookAheadStepsNeeded: number;
  acceptedForRemoveByRestfulIntegrationDefaults: boolean;
}

export interface RemoveFile {
  activations: {
    id: string;
    application: ApplicationVector;
    activation: ActivationVector;
    signedRequests: SignedRequestVector[];
  }[];
}

/** The parts of `activation-transcript.json` the replays read. */
export interface Transcript {
  application: ApplicationVector & { sessionSetupMasterServerPublicKey: string };
  serverPreparation: { activationCode: string };
  secrets: {
    temporaryKeyPair: KeyPairVector & {
      publicKeyUncompressedBase64: string;
      keyId: string;
      iat_ms: number;
      exp_ms: number;
    };
    deviceKeyPair: KeyPairVector;
    serverKeyPair: KeyPairVector & { publicKeyUncompressedBase64: string };
    activationId: string;
    ctrDataBase64: string;
    derivedKeys: ActivationVector['derivedKeys'];
  };
  steps: {
    '1_keystoreCreate': {
      requestBody: string;
      requestJwt: string;
      requestJwtPayloadJson: string;
      responseBody: string;
      responseJwt: string;
      responseJwtClaimsJson: string;
    };
    '2_activationCreate': {
      requestHeaderXPowerAuthEncryptionAndroid: string;
      layer2RequestJson: string;
      layer2Ecies: EciesCase;
      layer1RequestJson: string;
      layer1Ecies: EciesCase;
      requestBody: string;
      layer1ResponseJson: string;
      layer2ResponseJson: string;
      responseBody: string;
      sdkActivationFingerprint: string;
    };
    '3_activationStatus': StatusStep;
    '4_offlineSignature': {
      nonceBase64: string;
      dataUtf8: string;
      signatureType: string;
      componentLength: number;
      ctrDataBase64: string;
      normalizedData: string;
      signature: string;
    };
    '5_activationStatusAfterOfflineSignature': StatusStep;
    '6_activationRemove': SignedRequestVector & { requestBody: string };
  };
}

export interface StatusStep {
  requestBody: string;
  challengeBase64: string;
  serverBlob: {
    serverCtrDataBase64: string;
    reservedHex: string;
    ctrByte: number;
    ctrDataHashHex: string;
    statusIvHex: string;
    statusBlobPlaintextHex: string;
    nonceBase64: string;
    encryptedStatusBlobBase64: string;
  };
  responseBody: string;
  sdkDecoded: SdkParsedBlob & { counterState: string };
}

export const STATUS_NAMES = ['CREATED', 'PENDING_COMMIT', 'ACTIVE', 'BLOCKED', 'REMOVED'] as const;
