/**
 * The plain key exchange (server.md §3.7): `activation/exchange` with the device public key in clear JSON,
 * V3 (P-256) or V4 (P-384), answered with the server public key, CTR_DATA and the master public key.
 * Idempotent for an exact retry of a committed exchange (lost answer).
 */
import { encodeBase64, normalizePublicKey, ProtocolError } from '@offcode/protocol';
import type { ServerContext } from '../../context.js';
import { OffcodeError } from '../../errors.js';
import { algorithmFor, curveFor } from '../../keys.js';
import { listVersions, newestMasterKey } from '../../repo/queries.js';
import { type ActivationRow, ActivationStatus, statusName } from '../../repo/rows.js';
import { parseRequest } from '../../schema/core.js';
import type { ActivationExchangeRequest } from '../../schema/requests.js';
import type { SqlExecutor } from '../../storage/types.js';
import { inTransaction, service } from '../../transactions.js';
import type { ActivationExchangeResponse } from '../activations.js';
import type { KeyExchange } from './mechanism.js';
import { beforeExpiry, expireActivation, lockActivationByCode, provisionActivation } from './provision.js';

/** Marker so that an expiry (status → REMOVED) commits before ERR0007 is thrown. */
class ExpiredMarker {}

function answer(
  ctx: ServerContext,
  row: ActivationRow,
  masterPublicKey: Uint8Array,
): ActivationExchangeResponse {
  return {
    activationId: row.activationId,
    userId: row.userId,
    activationStatus: statusName(row.status),
    protocolVersion: row.protocolVersion!,
    serverPublicKey: encodeBase64(row.serverPublicKey!),
    ctrData: encodeBase64(row.ctrData!),
    masterPublicKey: encodeBase64(masterPublicKey),
    offlineComponentLength: ctx.config.componentLength,
  };
}

async function masterPublicKey(tx: SqlExecutor, row: ActivationRow, req: ActivationExchangeRequest) {
  const master = await newestMasterKey(tx, row.applicationId, algorithmFor(req.protocolVersion));
  if (!master) throw new OffcodeError('ERR0003');
  return master.publicKey;
}

/** An exact retry: same version and device key, nothing used yet, before the deadline. */
function isExactRetry(row: ActivationRow, req: ActivationExchangeRequest, now: Date): boolean {
  if (row.status !== ActivationStatus.PENDING_COMMIT && row.status !== ActivationStatus.ACTIVE) return false;
  try {
    const requested = normalizePublicKey(curveFor(req.protocolVersion), req.devicePublicKey);
    return (
      row.protocolVersion === req.protocolVersion &&
      row.devicePublicKey !== null &&
      Buffer.from(requested).equals(Buffer.from(row.devicePublicKey)) &&
      row.counter === 0 &&
      beforeExpiry(row, now)
    );
  } catch {
    return false;
  }
}

/** Application, protocol version and device key checks of a CREATED, unexpired activation. */
async function checkRequest(
  ctx: ServerContext,
  tx: SqlExecutor,
  row: ActivationRow,
  req: ActivationExchangeRequest,
): Promise<Uint8Array> {
  if (req.applicationId !== undefined && req.applicationId !== row.applicationName) {
    throw new OffcodeError('ERR0015', undefined, { field: 'applicationId' });
  }
  if (req.applicationKey !== undefined) {
    const versions = await listVersions(tx, row.applicationId);
    if (!versions.some((v) => v.supported && v.applicationKey === req.applicationKey)) {
      throw new OffcodeError('ERR0015', undefined, { field: 'applicationKey' });
    }
  }
  if (!ctx.config.protocolVersions.includes(req.protocolVersion)) {
    throw new OffcodeError('ERR0047', undefined, { field: 'protocolVersion' });
  }
  const curve = curveFor(req.protocolVersion);
  try {
    return normalizePublicKey(curve, req.devicePublicKey);
  } catch (error) {
    if (error instanceof ProtocolError) {
      throw new OffcodeError('ERR0010', `devicePublicKey - must be a ${curve} public key`, {
        field: 'devicePublicKey',
      });
    }
    throw error;
  }
}

export function createPlainExchange(ctx: ServerContext): KeyExchange<unknown, ActivationExchangeResponse> {
  return {
    mechanism: 'plain',
    exchange: (request: unknown): Promise<ActivationExchangeResponse> =>
      service(async () => {
        const req = parseRequest(ctx.schemas.activationExchange, request);
        const now = ctx.now();
        const result = await inTransaction(
          ctx,
          async (tx): Promise<ActivationExchangeResponse | ExpiredMarker> => {
            const row = await lockActivationByCode(tx, req.activationCode);
            if (!row) throw new OffcodeError('ERR0009', undefined, { field: 'activationCode' });
            if (isExactRetry(row, req, now)) return answer(ctx, row, await masterPublicKey(tx, row, req));
            if (row.status !== ActivationStatus.CREATED) throw new OffcodeError('ERR0008');
            if (!beforeExpiry(row, now)) {
              await expireActivation(tx, row, now);
              return new ExpiredMarker();
            }
            const devicePublicKey = await checkRequest(ctx, tx, row, req);
            const master = await masterPublicKey(tx, row, req);
            const written = await provisionActivation(ctx, tx, row, {
              version: req.protocolVersion,
              curve: curveFor(req.protocolVersion),
              devicePublicKey,
              activationName: req.activationName ?? null,
              enableBiometry: req.enableBiometry,
              reason: 'KEY_EXCHANGE',
              now,
            });
            return answer(ctx, written, master);
          },
          { lock: true },
        );
        if (result instanceof ExpiredMarker) throw new OffcodeError('ERR0007');
        return result;
      }),
  };
}
