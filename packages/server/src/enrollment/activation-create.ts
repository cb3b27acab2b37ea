/**
 * `POST /pa/v3/activation/create` by activation code (activation.md 5.3), the `powerauth-3.3` key-exchange
 * mechanism: the outer ECIES layer (`/pa/generic/application`) carries `{type:"CODE", identityAttributes:
 * {code}, activationData}`, the inner layer (`/pa/activation`, its own temporary key id and replay entry)
 * carries the device public key. The code is checked (shape and CRC, state CREATED, deadline, application),
 * the activation gets its V3 keys as in every mechanism (ACTIVE or PENDING_COMMIT by the commit phase), and
 * the layer-2 answer goes back inside the layer-1 answer. One transaction; nothing is written on a refusal
 * (an expired code is marked REMOVED, as with the plain exchange).
 */
import {
  encodeBase64,
  normalizePublicKey,
  ProtocolError,
  parseActivationCode,
  tryDecodeBase64Strict,
  utf8Encode,
} from '@offcode/protocol';
import {
  ECIES_SHARED_INFO1,
  type EciesRequest,
  type eciesResponseToJson,
  parseEciesRequest,
  parseEncryptionHeader,
} from '@offcode/protocol/pa3';
import type { ServerContext } from '../context.js';
import { type ActivationRow, ActivationStatus } from '../repo/rows.js';
import type { KeyExchange } from '../services/exchange/mechanism.js';
import {
  beforeExpiry,
  expireActivation,
  lockActivationByCode,
  provisionActivation,
} from '../services/exchange/provision.js';
import type { SqlExecutor } from '../storage/types.js';
import { inTransaction, service } from '../transactions.js';
import { openApplicationRequest, sealResponse } from './ecies-server.js';
import { EnrollmentError, type EnrollmentRefusal } from './errors.js';
import { requireVersion } from './temporary-keys.js';
import { checkRequest, type EnrollmentRequest, malformed, parseWith, readJson } from './wire.js';

const CODE = 'ERR_ACTIVATION';
const ACTIVATION_CODE_SHAPE = /^[A-Za-z2-7]{5}(?:-[A-Za-z2-7]{5}){3}$/;
const MAX_NAME = 255;

export type EciesResponseJson = ReturnType<typeof eciesResponseToJson>;

const refuse = (reason: EnrollmentRefusal, detail: string, field: string | null = null) =>
  new EnrollmentError(CODE, reason, detail, { field });

/** Layer 1 plaintext: only type CODE; the inner ECIES request as parsed. */
function readLayer1(plaintext: Uint8Array): { code: string; inner: EciesRequest } {
  const l1 = readJson(CODE, plaintext, 'layer1');
  if (l1.type !== 'CODE') {
    if (typeof l1.type === 'string') {
      throw refuse('unsupported_type', 'only activation type CODE is supported', 'type');
    }
    throw malformed(CODE, 'type', 'must be a string');
  }
  const attributes = l1.identityAttributes;
  const code =
    typeof attributes === 'object' && attributes !== null
      ? (attributes as Record<string, unknown>).code
      : undefined;
  if (typeof code !== 'string' || code.length === 0) {
    throw malformed(CODE, 'identityAttributes.code', 'must be a non-empty string');
  }
  if (typeof l1.activationData !== 'object' || l1.activationData === null) {
    throw malformed(CODE, 'activationData', 'must be an ECIES request object');
  }
  const inner = parseWith('ERR_ENCRYPTION', () => parseEciesRequest(l1.activationData));
  return { code, inner };
}

/** Layer 2 plaintext: a valid P-256 device key; an activation OTP is refused (not supported). */
function readLayer2(plaintext: Uint8Array): { devicePublicKey: Uint8Array; activationName: string | null } {
  const l2 = readJson(CODE, plaintext, 'layer2');
  const raw = typeof l2.devicePublicKey === 'string' ? tryDecodeBase64Strict(l2.devicePublicKey) : null;
  let devicePublicKey: Uint8Array | null = null;
  if (raw && (raw.length === 33 || raw.length === 65)) {
    try {
      devicePublicKey = normalizePublicKey('P-256', raw);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
    }
  }
  if (!devicePublicKey) throw malformed(CODE, 'devicePublicKey', 'must be a P-256 public key, Base64');
  if (l2.activationOtp !== undefined && l2.activationOtp !== null) {
    throw refuse('unsupported_otp', 'activation OTP is not supported', 'activationOtp');
  }
  const name = l2.activationName;
  if (name !== undefined && name !== null && (typeof name !== 'string' || name.length > MAX_NAME)) {
    throw malformed(CODE, 'activationName', `must be a string of at most ${MAX_NAME} characters`);
  }
  return { devicePublicKey, activationName: typeof name === 'string' && name !== '' ? name : null };
}

/** Shape and CRC of the typed code (the server checks the CRC too: Offcode decision 3). */
function canonicalCode(code: string): string {
  if (!ACTIVATION_CODE_SHAPE.test(code)) {
    throw malformed(CODE, 'identityAttributes.code', 'must be four groups of five Base32 characters');
  }
  const canonical = parseActivationCode(code);
  if (canonical === null)
    throw refuse('code_crc', 'the activation code checksum does not match', 'identityAttributes.code');
  return canonical;
}

/** Marker so that an expiry (status → REMOVED) commits before the refusal is thrown. */
class ExpiredMarker {}

/** The activation the code names, CREATED, of this application, before its deadline. */
async function requireCreated(
  ctx: ServerContext,
  tx: SqlExecutor,
  code: string,
  applicationId: number,
  now: Date,
): Promise<ActivationRow | ExpiredMarker> {
  const row = await lockActivationByCode(tx, code);
  const field = 'identityAttributes.code';
  if (!row || row.applicationId !== applicationId)
    throw refuse('code_unknown', 'no such activation code', field);
  if (row.status !== ActivationStatus.CREATED)
    throw refuse('code_used', 'the activation code was used', field);
  if (!beforeExpiry(row, now)) {
    await expireActivation(tx, row, now);
    return new ExpiredMarker();
  }
  if (!ctx.config.protocolVersions.includes(3)) {
    throw refuse('protocol_version', 'protocol version 3 is not enabled', null);
  }
  return row;
}

function layer2Answer(row: ActivationRow): Uint8Array {
  return utf8Encode(
    JSON.stringify({
      activationId: row.activationId,
      serverPublicKey: encodeBase64(row.serverPublicKey!),
      ctrData: encodeBase64(row.ctrData!),
      activationRecovery: null,
    }),
  );
}

/** The header and body checks that need no database. */
function readEnvelope(request: EnrollmentRequest) {
  const body = checkRequest('ERR_ENCRYPTION', request);
  const value = request.headers?.encryption;
  if (typeof value !== 'string') throw malformed('ERR_ENCRYPTION', 'X-PowerAuth-Encryption', 'is missing');
  const header = parseWith('ERR_ENCRYPTION', () => parseEncryptionHeader(value));
  if (header.activationId !== undefined) {
    throw malformed('ERR_ENCRYPTION', 'activation_id', 'must be absent (application scope)');
  }
  return { header, outer: parseWith('ERR_ENCRYPTION', () => parseEciesRequest(body)) };
}

export function createPowerAuthActivation(
  ctx: ServerContext,
): KeyExchange<EnrollmentRequest, EciesResponseJson> {
  return {
    mechanism: 'powerauth-3.3',
    exchange: (request: EnrollmentRequest): Promise<EciesResponseJson> =>
      service(async () => {
        const { header, outer } = readEnvelope(request);
        const now = ctx.now();
        const result = await inTransaction(
          ctx,
          async (tx): Promise<EciesResponseJson | ExpiredMarker> => {
            const version = await requireVersion(tx, header.applicationKey);
            const layer = { version, now };
            const o = await openApplicationRequest(ctx, tx, {
              ...layer,
              request: outer,
              sharedInfo1: ECIES_SHARED_INFO1.applicationGeneric,
              field: '',
            });
            const l1 = readLayer1(o.plaintext);
            const code = canonicalCode(l1.code);
            const i = await openApplicationRequest(ctx, tx, {
              ...layer,
              request: l1.inner,
              sharedInfo1: ECIES_SHARED_INFO1.activationLayer2,
              field: 'activationData.',
            });
            const l2 = readLayer2(i.plaintext);
            const row = await requireCreated(ctx, tx, code, version.applicationId, now);
            if (row instanceof ExpiredMarker) return row;
            const written = await provisionActivation(ctx, tx, row, {
              version: 3,
              curve: 'P-256',
              devicePublicKey: l2.devicePublicKey,
              activationName: l2.activationName,
              enableBiometry: true,
              reason: 'KEY_EXCHANGE',
              now,
            });
            const inner = sealResponse(
              ctx,
              i.envelope,
              ECIES_SHARED_INFO1.activationLayer2,
              layer2Answer(written),
            );
            const l1Answer = utf8Encode(
              JSON.stringify({ activationData: inner, customAttributes: {}, userInfo: null }),
            );
            const answer = sealResponse(ctx, o.envelope, ECIES_SHARED_INFO1.applicationGeneric, l1Answer);
            await ctx.hooks.enrollment?.beforeActivationCommit?.(tx, written.activationId);
            return answer;
          },
          { lock: true },
        );
        if (result instanceof ExpiredMarker) {
          throw refuse('code_expired', 'the activation code has expired', 'identityAttributes.code');
        }
        return result;
      }),
  };
}
