/**
 * The token's PowerAuth 3.3 HTTP client (activation.md §2-3): Gson-written `{requestObject}` bodies, the
 * PowerAuth error envelope, the temporary ECIES key of `/pa/v3/keystore/create` and the clock the SDK
 * synchronizes from the keystore answer's `iat_ms` (ECIES timestamps are checked by the server against
 * its own clock, so a device clock that is off does not matter).
 */
import { encodeBase64, ProtocolError } from '@offcode/protocol';
import {
  createKeystoreRequestJwt,
  type EciesParameters,
  gsonStringify,
  verifyKeystoreResponseJwt,
} from '@offcode/protocol/pa3';
import { type ClientErrorCode, OffcodeClientError } from '../errors.js';
import { type EnvelopeResult, postEnvelope } from '../http.js';
import type { ExchangeContext } from '../provisioning/key-exchange.js';
import { randomBytes } from '../random.js';

export interface PowerAuthConfig {
  serverUrl: string;
  /** APP_KEY, Base64 text. */
  applicationKey: string;
  /** APP_SECRET, Base64 text. */
  applicationSecret: string;
}

/** The application-scope temporary key (`sub`, `publicKey`, `exp_ms` of the keystore answer). */
export interface TemporaryKey {
  keyId: string;
  publicKey: Uint8Array;
  expiresAtMs: number;
}

/** The SDK stops using a temporary key this long before it expires (activation.md §3.3). */
const EXPIRY_MARGIN_MS = 10_000;
/** The SDK's keystore challenge: Base64 of 18 random bytes (24 characters, no padding). */
const CHALLENGE_BYTES = 18;

export class PowerAuthClient implements PowerAuthConfig {
  readonly serverUrl: string;
  readonly applicationKey: string;
  readonly applicationSecret: string;
  /** Server time minus device time, from the last keystore answer (0 before). */
  private clockOffsetMs = 0;

  constructor(
    readonly ctx: ExchangeContext,
    config: PowerAuthConfig,
  ) {
    this.serverUrl = config.serverUrl;
    this.applicationKey = config.applicationKey;
    this.applicationSecret = config.applicationSecret;
  }

  randomBytes(n: number): Uint8Array {
    return randomBytes(this.ctx.random, n);
  }

  /** Milliseconds on the server-synchronized clock. */
  serverTime(): number {
    return Math.floor(this.ctx.now().getTime() + this.clockOffsetMs);
  }

  eciesParameters(sharedInfo1: EciesParameters['sharedInfo1']): EciesParameters {
    return {
      scope: 'application',
      sharedInfo1,
      applicationKey: this.applicationKey,
      applicationSecret: this.applicationSecret,
    };
  }

  /** POSTs `{requestObject}` (Gson escaping) to `path` under the server URL. */
  post(
    path: string,
    requestObject: Record<string, unknown>,
    headers: Record<string, string> = {},
  ): Promise<EnvelopeResult> {
    return postEnvelope(this.ctx.fetch, `${this.serverUrl}${path}`, requestObject, {
      timeoutMs: this.ctx.timeoutMs,
      headers,
      stringify: gsonStringify,
    });
  }

  /** Throws for an error envelope: `code` with the server's error code. */
  refused(result: EnvelopeResult, what: string, code: ClientErrorCode = 'ACTIVATION_FAILED'): never {
    throw new OffcodeClientError(code, `the server refused the ${what} (${result.errorCode})`, {
      serverCode: result.errorCode,
    });
  }

  /**
   * `keystore/create` in application scope: HS256 request JWT over a fresh challenge, ES256 answer
   * verified with the master public key, challenge and application key echoed (activation.md §3).
   */
  async temporaryKey(masterPublicKey: Uint8Array): Promise<TemporaryKey> {
    const { suite } = this.ctx;
    const challenge = encodeBase64(this.randomBytes(CHALLENGE_BYTES));
    const jwt = createKeystoreRequestJwt(suite, {
      applicationKey: this.applicationKey,
      applicationSecret: this.applicationSecret,
      challenge,
    });
    const res = await this.post('/pa/v3/keystore/create', { jwt });
    if (!res.ok) this.refused(res, 'temporary key request');
    const receivedAt = this.ctx.now().getTime();
    let claims: ReturnType<typeof verifyKeystoreResponseJwt>;
    try {
      claims = verifyKeystoreResponseJwt(suite, res.response.jwt as string, {
        signerPublicKey: masterPublicKey,
        challenge,
        applicationKey: this.applicationKey,
      });
    } catch (e) {
      const detail = e instanceof ProtocolError ? `: ${e.message}` : '';
      throw new OffcodeClientError('ACTIVATION_FAILED', `invalid keystore answer${detail}`, { cause: e });
    }
    this.clockOffsetMs = claims.issuedAtMs - receivedAt;
    if (claims.expiresAtMs - EXPIRY_MARGIN_MS <= claims.issuedAtMs) {
      throw new OffcodeClientError('ACTIVATION_FAILED', 'the temporary key expires too soon to be used');
    }
    return { keyId: claims.keyId, publicKey: claims.publicKey, expiresAtMs: claims.expiresAtMs };
  }
}

export function powerAuthClient(ctx: ExchangeContext, config: PowerAuthConfig): PowerAuthClient {
  return new PowerAuthClient(ctx, config);
}
