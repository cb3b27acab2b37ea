/**
 * `POST /pa/v3/activation/remove` (activation.md 7): the device removes its own activation with a V3.1+
 * online signature in `X-PowerAuth-Authorization` over the raw body bytes (`uriId` `/pa/activation/remove`).
 * Only two-factor types are accepted (possession + knowledge or biometry, as REST's defaults); the signature
 * is searched over the lookahead window under the activation row lock. A mismatch counts one failed attempt
 * and blocks at the limit, exactly as an offline code does (audited, committed, then refused); a refused type,
 * header, state or application key changes nothing and counts nothing.
 */

import { encodeBase64 } from '@offcode/protocol';
import {
  type AuthorizationHeader,
  onlineSignatureData,
  parseAuthorizationHeader,
  SIGNATURE_TYPE_FACTORS,
  verifyOnlineSignature,
} from '@offcode/protocol/pa3';
import type { ServerContext } from '../context.js';
import { findVersionByKey } from '../repo/enrollment-queries.js';
import { findActivation, insertAudit, updateActivation } from '../repo/queries.js';
import { type ActivationRow, ActivationStatus, type ApplicationVersionRow } from '../repo/rows.js';
import { applyDueBlockExpiry, autoBlock } from '../services/blocking.js';
import { SHRED, setActivationStatus } from '../services/exchange/provision.js';
import type { SqlExecutor } from '../storage/types.js';
import { inTransaction, service } from '../transactions.js';
import { activationKeysV3, hasV3Keys } from './activation-keys.js';
import { EnrollmentError, type EnrollmentRefusal } from './errors.js';
import { checkRequest, type EnrollmentRequest, malformed, type OkEnvelope, ok, parseWith } from './wire.js';

const CODE = 'ERR_AUTHENTICATION';
export const REMOVE_URI_ID = '/pa/activation/remove';

const refuse = (reason: EnrollmentRefusal, detail: string, field: string | null = null) =>
  new EnrollmentError(CODE, reason, detail, { field });

/** The header, with a two-factor type (possession alone, knowledge or biometry alone are refused). */
function readHeader(request: EnrollmentRequest): AuthorizationHeader {
  const value = request.headers?.authorization;
  if (typeof value !== 'string') throw malformed(CODE, 'X-PowerAuth-Authorization', 'is missing');
  const header = parseWith(CODE, () => parseAuthorizationHeader(value));
  const factors = SIGNATURE_TYPE_FACTORS[header.signatureType];
  if (!factors || factors.length < 2 || factors[0] !== 'possession') {
    throw refuse(
      'signature_type',
      'activation/remove needs possession with knowledge or biometry',
      'pa_signature_type',
    );
  }
  return header;
}

/** The locked activation and application version the header names, ACTIVE with attempts left. */
async function requireSignable(
  tx: SqlExecutor,
  header: AuthorizationHeader,
  now: Date,
): Promise<{ row: ActivationRow; version: ApplicationVersionRow }> {
  const found = await findActivation(tx, header.activationId, true);
  const version = await findVersionByKey(tx, header.applicationKey);
  if (!found || !version?.supported || version.applicationId !== found.applicationId) {
    throw refuse('application', 'unknown activation or application key', 'pa_activation_id');
  }
  const row = await applyDueBlockExpiry(tx, found, now);
  if (
    row.status !== ActivationStatus.ACTIVE ||
    row.failedAttempts >= row.maxFailedAttempts ||
    !hasV3Keys(row)
  ) {
    throw refuse('activation_state', 'the activation is not active', 'pa_activation_id');
  }
  return { row, version };
}

function audit(
  tx: SqlExecutor,
  row: ActivationRow,
  header: AuthorizationHeader,
  data: Uint8Array,
  valid: boolean,
  now: Date,
) {
  return insertAudit(tx, {
    activationId: row.activationId,
    userId: row.userId,
    applicationId: row.applicationId,
    protocolVersion: row.protocolVersion,
    counter: row.counter,
    ctrData: row.ctrData,
    status: row.status,
    additionalInfo: { SIGNATURE_VERSION: header.version, URI_ID: REMOVE_URI_ID },
    dataBase64: encodeBase64(data),
    nonce: header.nonce,
    codeDigest: null,
    signatureType: header.signatureType.toUpperCase(),
    valid,
    note: valid ? 'signature_ok' : 'signature_does_not_match',
    now,
  });
}

/** Marker: a mismatch whose failed attempt commits before the refusal is thrown. */
class Mismatch {}

export function createRemoveService(ctx: ServerContext) {
  return {
    /** Body as sent (`{}` from the SDK) + the signature header → `{"status":"OK","responseObject":{activationId}}`. */
    remove: (request: EnrollmentRequest): Promise<OkEnvelope<{ activationId: string }>> =>
      service(async () => {
        const body = checkRequest(CODE, request);
        const header = readHeader(request);
        const now = ctx.now();
        const result = await inTransaction(
          ctx,
          async (tx) => {
            const { row, version } = await requireSignable(tx, header, now);
            const data = onlineSignatureData({
              method: 'POST',
              uriId: REMOVE_URI_ID,
              nonce: header.nonce,
              body,
              applicationSecret: version.applicationSecret,
            });
            const keys = activationKeysV3(ctx, row);
            let match: ReturnType<typeof verifyOnlineSignature>;
            try {
              match = verifyOnlineSignature(ctx.suite, {
                signatureType: header.signatureType,
                keys,
                ctrData: row.ctrData!,
                data,
                signature: header.signature,
                lookAhead: ctx.config.lookahead,
              });
            } finally {
              keys.wipe();
            }
            if (!match.match) {
              const failedAttempts = row.failedAttempts + 1;
              const after = { ...row, failedAttempts, timestampLastUsed: now };
              await updateActivation(tx, row.activationId, { failedAttempts, timestampLastUsed: now });
              if (failedAttempts >= row.maxFailedAttempts)
                await autoBlock(ctx, tx, after, now, failedAttempts);
              await audit(tx, row, header, data, false, now);
              return new Mismatch();
            }
            await updateActivation(tx, row.activationId, {
              counter: row.counter + match.position + 1,
              ctrData: match.nextCtrData,
              failedAttempts: 0,
              timestampLastUsed: now,
            });
            await audit(tx, row, header, data, true, now);
            await setActivationStatus(
              tx,
              row,
              ActivationStatus.REMOVED,
              now,
              { reason: 'REMOVED_BY_DEVICE', externalUserId: null },
              { ...SHRED, blockExpiresAt: null },
            );
            return ok({ activationId: row.activationId });
          },
          { lock: true },
        );
        if (result instanceof Mismatch)
          throw refuse('signature', 'the signature does not match', 'pa_signature');
        return result;
      }),
  };
}
