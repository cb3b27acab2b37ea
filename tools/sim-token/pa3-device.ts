/**
 * The simulated PowerAuth 3.3 device (the PowerAuth mobile SDK side of activation.md), built only on
 * @offcode/protocol/pa3 (no server code): keystore/create request and answer check, both activation/create
 * layers in the Android SDK's Gson form, the answers decrypted, the status blob read, and signed
 * activation/remove requests. Bodies are bytes and headers strings, exactly what goes on the wire. The server
 * suites call the entry points with them; the /pa/v3 HTTP suites send them.
 */
import {
  compressPublicKey,
  decodeBase64Strict,
  deriveKeysV3,
  deriveMasterSecretV3,
  encodeBase64,
  generateKeyPair,
  nextCounterData,
  utf8Decode,
  utf8Encode,
} from '@offcode/protocol';
import {
  buildAuthorizationHeader,
  buildEncryptionHeader,
  computeOnlineSignature,
  createKeystoreRequestJwt,
  decryptEciesResponse,
  decryptStatusBlob,
  ECIES_SHARED_INFO1,
  type EciesEnvelope,
  eciesRequestToJson,
  encryptEciesRequest,
  gsonStringify,
  onlineSignatureData,
  parseEciesResponse,
  type SignatureType,
  verifyKeystoreResponseJwt,
} from '@offcode/protocol/pa3';
import { DEVICE_SUITE } from './index.mjs';

export interface AppCredentials {
  applicationKey: string;
  applicationSecret: string;
  /** Uncompressed P-256 master public key (Base64). */
  masterPublicKey: string;
}

export interface TemporaryKey {
  keyId: string;
  publicKey: Uint8Array;
}

export interface EnrollmentCall {
  body: Uint8Array;
  headers?: { encryption?: string; authorization?: string };
}

const bytes = (text: string): Uint8Array => utf8Encode(text);
const random16 = (): string => encodeBase64(crypto.getRandomValues(new Uint8Array(16)));

export class Pa3Device {
  readonly suite = DEVICE_SUITE;
  readonly keyPair = generateKeyPair(DEVICE_SUITE, 'P-256');
  activationId = '';
  ctrData: Uint8Array = new Uint8Array(0);
  keys: ReturnType<typeof deriveKeysV3> | null = null;
  #challenge = '';

  constructor(readonly app: AppCredentials) {}

  keystoreRequest(opts: { challenge?: string; secret?: string } = {}): EnrollmentCall {
    this.#challenge = opts.challenge ?? encodeBase64(crypto.getRandomValues(new Uint8Array(18)));
    const jwt = createKeystoreRequestJwt(this.suite, {
      applicationKey: this.app.applicationKey,
      applicationSecret: opts.secret ?? this.app.applicationSecret,
      challenge: this.#challenge,
    });
    return { body: bytes(gsonStringify({ requestObject: { jwt } })) };
  }

  /** Checks the keystore answer (signature with the master key, echoed challenge and key). */
  temporaryKey(answer: { responseObject: { jwt: string } }): TemporaryKey {
    const claims = verifyKeystoreResponseJwt(this.suite, answer.responseObject.jwt, {
      signerPublicKey: decodeBase64Strict(this.app.masterPublicKey),
      challenge: this.#challenge,
      applicationKey: this.app.applicationKey,
    });
    return { keyId: claims.keyId, publicKey: claims.publicKey };
  }

  #encrypt(key: TemporaryKey, sharedInfo1: string, plaintext: string, timestamp: number) {
    return encryptEciesRequest(
      this.suite,
      {
        scope: 'application',
        sharedInfo1: sharedInfo1 as '/pa/activation',
        applicationKey: this.app.applicationKey,
        applicationSecret: this.app.applicationSecret,
      },
      {
        recipientPublicKey: key.publicKey,
        temporaryKeyId: key.keyId,
        plaintext: bytes(plaintext),
        timestamp,
      },
    );
  }

  /** Both layers of activation/create; `inner` overrides members of layer 2, `outer` of layer 1. */
  activationCreate(
    key: TemporaryKey,
    code: string,
    opts: {
      timestamp: number;
      innerKey?: TemporaryKey;
      inner?: Record<string, unknown>;
      outer?: Record<string, unknown>;
      form?: 'android' | 'ios';
    },
  ): EnrollmentCall & { envelopes: { outer: EciesEnvelope; inner: EciesEnvelope } } {
    const l2 = gsonStringify({
      devicePublicKey: encodeBase64(compressPublicKey('P-256', this.keyPair.publicKey)),
      activationName: 'Test phone',
      platform: 'Android',
      deviceInfo: 'Offcode test',
      ...opts.inner,
    });
    const inner = this.#encrypt(
      opts.innerKey ?? key,
      ECIES_SHARED_INFO1.activationLayer2,
      l2,
      opts.timestamp,
    );
    const l1 = gsonStringify({
      type: 'CODE',
      identityAttributes: { code },
      activationData: eciesRequestToJson(inner.request),
      ...opts.outer,
    });
    const outer = this.#encrypt(key, ECIES_SHARED_INFO1.applicationGeneric, l1, opts.timestamp);
    return {
      body: bytes(gsonStringify(eciesRequestToJson(outer.request))),
      headers: {
        encryption: buildEncryptionHeader(
          { applicationKey: this.app.applicationKey },
          { form: opts.form ?? 'android' },
        ),
      },
      envelopes: { outer: outer.envelope, inner: inner.envelope },
    };
  }

  /** Decrypts both answer layers and derives the activation keys, as the SDK's completion does. */
  completeActivation(
    answer: unknown,
    envelopes: { outer: EciesEnvelope; inner: EciesEnvelope },
  ): { activationId: string; serverPublicKey: string; ctrData: string } {
    const l1 = JSON.parse(
      utf8Decode(decryptEciesResponse(this.suite, envelopes.outer, parseEciesResponse(answer))),
    );
    const l2 = JSON.parse(
      utf8Decode(decryptEciesResponse(this.suite, envelopes.inner, parseEciesResponse(l1.activationData))),
    );
    this.activationId = l2.activationId;
    this.ctrData = decodeBase64Strict(l2.ctrData);
    const master = deriveMasterSecretV3(
      this.suite,
      this.keyPair.privateKey,
      decodeBase64Strict(l2.serverPublicKey),
    );
    this.keys = deriveKeysV3(this.suite, master);
    return l2;
  }

  statusRequest(): { call: EnrollmentCall; challenge: Uint8Array } {
    const challenge = crypto.getRandomValues(new Uint8Array(16));
    const body = gsonStringify({
      requestObject: { activationId: this.activationId, challenge: encodeBase64(challenge) },
    });
    return { call: { body: bytes(body) }, challenge };
  }

  readStatus(
    answer: { responseObject: { encryptedStatusBlob: string; nonce: string } },
    challenge: Uint8Array,
  ) {
    return decryptStatusBlob(this.suite, {
      transportKey: this.keys!.transport,
      challenge,
      nonce: decodeBase64Strict(answer.responseObject.nonce),
      encryptedStatusBlob: decodeBase64Strict(answer.responseObject.encryptedStatusBlob),
    });
  }

  /** A signed remove (body `{}`); the device's counter moves on as the SDK's does. */
  removeRequest(
    opts: {
      type?: SignatureType;
      version?: '3.1' | '3.2' | '3.3';
      body?: string;
      wrongKnowledge?: boolean;
    } = {},
  ): EnrollmentCall {
    const type = opts.type ?? 'possession_knowledge';
    const body = opts.body ?? '{}';
    const nonce = random16();
    const data = onlineSignatureData({
      method: 'POST',
      uriId: '/pa/activation/remove',
      nonce,
      body: bytes(body),
      applicationSecret: this.app.applicationSecret,
    });
    const keys = this.keys!;
    const knowledge = opts.wrongKnowledge ? crypto.getRandomValues(new Uint8Array(16)) : keys.knowledge;
    const signature = computeOnlineSignature(this.suite, {
      signatureType: type,
      keys: { possession: keys.possession, knowledge, biometry: keys.biometry },
      ctrData: this.ctrData,
      data,
    });
    this.ctrData = nextCounterData(this.suite, 3, this.ctrData);
    const authorization = buildAuthorizationHeader({
      version: opts.version ?? '3.3',
      activationId: this.activationId,
      applicationKey: this.app.applicationKey,
      nonce,
      signatureType: type,
      signature,
    });
    return { body: bytes(body), headers: { authorization } };
  }
}
