/**
 * `POST /pa/v3/activation/status` (activation.md 6, "Offcode decisions" 5): `{activationId, challenge}` in,
 * the 32-byte status blob encrypted under KEY_TRANSPORT with an IV bound to the challenge and a fresh nonce
 * out. Only V3 activations with their keys get a real blob; unknown, CREATED, V4 and REMOVED (keys shredded)
 * activations get 32 random bytes, as PowerAuth answers (the device then fails to decode it).
 */
import { randomBytes } from 'node:crypto';
import { encodeBase64, tryDecodeBase64Strict } from '@offcode/protocol';
import {
  buildStatusBlob,
  encryptStatusBlob,
  isActivationId,
  statusBlobCtrDataHash,
} from '@offcode/protocol/pa3';
import type { ServerContext } from '../context.js';
import { findActivation } from '../repo/queries.js';
import { type ActivationRow, ActivationStatus, statusName } from '../repo/rows.js';
import { refreshDueBlockExpiry } from '../services/blocking.js';
import { read, service } from '../transactions.js';
import { activationKeysV3, hasV3Keys } from './activation-keys.js';
import {
  checkRequest,
  type EnrollmentRequest,
  malformed,
  type OkEnvelope,
  ok,
  readRequestObject,
} from './wire.js';

const CODE = 'ERR_ACTIVATION';

export interface ActivationStatusBlobResponse {
  activationId: string;
  encryptedStatusBlob: string;
  nonce: string;
  customObject: null;
}

function readStatusRequest(request: EnrollmentRequest): { activationId: string; challenge: Uint8Array } {
  const obj = readRequestObject(CODE, checkRequest(CODE, request));
  if (!isActivationId(obj.activationId)) {
    throw malformed(CODE, 'requestObject.activationId', 'must be a lower-case UUID');
  }
  const challenge = typeof obj.challenge === 'string' ? tryDecodeBase64Strict(obj.challenge) : null;
  if (challenge?.length !== 16) {
    throw malformed(CODE, 'requestObject.challenge', 'must be Base64 of 16 bytes');
  }
  return { activationId: obj.activationId, challenge };
}

/** The blob of a V3 activation with keys: state, counter byte, attempts, lookahead, ctrDataHash. */
function realBlob(
  ctx: ServerContext,
  row: ActivationRow,
  challenge: Uint8Array,
  nonce: Uint8Array,
  reserved?: Uint8Array,
) {
  const keys = activationKeysV3(ctx, row);
  try {
    const plaintext = buildStatusBlob({
      status: statusName(row.status),
      currentVersion: 3,
      upgradeVersion: 3,
      ...(reserved ? { reserved } : {}),
      ctrByte: row.counter & 0xff,
      failedAttempts: Math.min(row.failedAttempts, 255),
      maxFailedAttempts: Math.min(row.maxFailedAttempts, 255),
      ctrLookAhead: ctx.config.lookahead,
      ctrDataHash: statusBlobCtrDataHash(ctx.suite, keys.transport, row.ctrData!),
    });
    return encryptStatusBlob(ctx.suite, { transportKey: keys.transport, challenge, nonce, plaintext });
  } finally {
    keys.wipe();
  }
}

export function createStatusService(ctx: ServerContext) {
  return {
    /** `{"requestObject":{"activationId","challenge"}}` → `{"status":"OK","responseObject":{…}}`. */
    status: (request: EnrollmentRequest): Promise<OkEnvelope<ActivationStatusBlobResponse>> =>
      service(async () => {
        const { activationId, challenge } = readStatusRequest(request);
        const found = await read(() => findActivation(ctx.storage, activationId));
        const row = found ? await refreshDueBlockExpiry(ctx, found) : null;
        const fixed = ctx.hooks.enrollment?.statusBlob?.();
        const nonce = fixed?.nonce ?? new Uint8Array(randomBytes(16));
        const served = row !== null && row.status !== ActivationStatus.CREATED && hasV3Keys(row);
        const blob = served
          ? realBlob(ctx, row, challenge, nonce, fixed?.reserved)
          : new Uint8Array(randomBytes(32));
        return ok({
          activationId,
          encryptedStatusBlob: encodeBase64(blob),
          nonce: encodeBase64(nonce),
          customObject: null,
        });
      }),
  };
}
