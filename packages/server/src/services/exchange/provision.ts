/**
 * What every key-exchange mechanism shares (server.md §3.7, activation.md "Offcode decisions" 2): the
 * activation found by its code under the row lock, its state and expiry, the server key pair and CTR_DATA
 * made and sealed, ACTIVE or PENDING_COMMIT by the commit phase, and the history row. A mechanism only
 * decodes its request, calls these inside its one transaction, and encodes its answer.
 */
import {
  type Curve,
  deriveActivationSecretV4,
  deriveMasterSecretV3,
  generateCounterData,
  generateKeyPair,
  type ProtocolVersion,
} from '@offcode/protocol';
import { aad } from '../../at-rest.js';
import type { ServerContext } from '../../context.js';
import { findActivationByCode, insertHistory, updateActivation } from '../../repo/queries.js';
import { type ActivationRow, ActivationStatus, type ActivationStatusCode } from '../../repo/rows.js';
import type { SqlExecutor } from '../../storage/types.js';

/** The key-material columns a REMOVED activation must not keep (crypto-shredding, server.md §6.8). */
export const SHRED = { serverPrivateKey: null, activationSecret: null } as const;

/** The activation of a code, locked (`SELECT … FOR UPDATE`), or null. */
export function lockActivationByCode(tx: SqlExecutor, activationCode: string): Promise<ActivationRow | null> {
  return findActivationByCode(tx, activationCode, true);
}

/** True while the activation's exchange/commit deadline has not passed. */
export const beforeExpiry = (row: ActivationRow, now: Date): boolean =>
  now.getTime() < row.timestampActivationExpire.getTime();

/** A status change and its history row. */
export async function setActivationStatus(
  tx: SqlExecutor,
  row: ActivationRow,
  status: ActivationStatusCode,
  now: Date,
  history: { reason: string | null; externalUserId: string | null },
  extra: Parameters<typeof updateActivation>[2] = {},
): Promise<void> {
  await updateActivation(tx, row.activationId, { status, timestampLastChange: now, ...extra });
  await insertHistory(tx, { activationId: row.activationId, status, now, ...history });
}

/** A code past its deadline: REMOVED (ACTIVATION_EXPIRED) with its key columns shredded. */
export function expireActivation(tx: SqlExecutor, row: ActivationRow, now: Date): Promise<void> {
  return setActivationStatus(
    tx,
    row,
    ActivationStatus.REMOVED,
    now,
    { reason: 'ACTIVATION_EXPIRED', externalUserId: null },
    SHRED,
  );
}

export interface ProvisionInput {
  version: ProtocolVersion;
  curve: Curve;
  /** The validated device public key (uncompressed). */
  devicePublicKey: Uint8Array;
  activationName: string | null;
  enableBiometry: boolean;
  /** The history reason of the status change (`KEY_EXCHANGE`). */
  reason: string;
  now: Date;
}

/** The server's fresh key pair of an exchange (the hook replaces it in transcript replays). */
function serverKeyPair(ctx: ServerContext, curve: Curve) {
  return ctx.hooks.generateServerKeyPair?.(curve) ?? generateKeyPair(ctx.suite, curve);
}

/**
 * Gives a CREATED activation its keys: a server key pair (V3 keeps the sealed private key, V4 the sealed
 * KEY_ACTIVATION_SECRET and discards the private key), fresh CTR_DATA, counter 0, the device key, and
 * ACTIVE (`ON_KEY_EXCHANGE`) or PENDING_COMMIT. Returns the row as written. Call under the row lock.
 */
export async function provisionActivation(
  ctx: ServerContext,
  tx: SqlExecutor,
  row: ActivationRow,
  input: ProvisionInput,
): Promise<ActivationRow> {
  const { version, now } = input;
  const serverPair = serverKeyPair(ctx, input.curve);
  const ctrData = ctx.hooks.generateCtrData?.(version) ?? generateCounterData(version);
  let secretColumns: { serverPrivateKey: Uint8Array | null; activationSecret: Uint8Array | null };
  let keyEncryption: number;
  try {
    if (version === 3) {
      const sealed = ctx.cipher.seal(serverPair.privateKey, aad.serverPrivateKey(row.activationId, 3));
      // KEY_MASTER_SECRET sealed too: verifications then skip the ECDH (server.md §5.1).
      const master = deriveMasterSecretV3(ctx.suite, serverPair.privateKey, input.devicePublicKey);
      const sealedMaster = ctx.cipher.seal(master, aad.activationSecret(row.activationId, 3));
      master.fill(0);
      secretColumns = { serverPrivateKey: sealed.bytes, activationSecret: sealedMaster.bytes };
      keyEncryption = sealed.encryption;
    } else {
      const secret = deriveActivationSecretV4(ctx.suite, serverPair.privateKey, input.devicePublicKey);
      const sealed = ctx.cipher.seal(secret, aad.activationSecret(row.activationId, 4));
      secret.fill(0);
      secretColumns = { serverPrivateKey: null, activationSecret: sealed.bytes };
      keyEncryption = sealed.encryption;
    }
  } finally {
    // V4 discards the server private key; V3 keeps only the sealed copy.
    serverPair.privateKey.fill(0);
  }
  const status =
    row.commitPhase === 'ON_KEY_EXCHANGE' ? ActivationStatus.ACTIVE : ActivationStatus.PENDING_COMMIT;
  const changes = {
    status,
    protocolVersion: version,
    activationName: input.activationName,
    devicePublicKey: input.devicePublicKey,
    serverPublicKey: serverPair.publicKey,
    ...secretColumns,
    keyEncryption,
    biometryEnabled: input.enableBiometry,
    counter: 0,
    ctrData,
    failedAttempts: 0,
    timestampLastChange: now,
  };
  await updateActivation(tx, row.activationId, changes);
  await insertHistory(tx, {
    activationId: row.activationId,
    status,
    reason: input.reason,
    externalUserId: null,
    now,
  });
  return { ...row, ...changes };
}
