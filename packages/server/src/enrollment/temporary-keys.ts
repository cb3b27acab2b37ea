/**
 * `POST /pa/v3/keystore/create` (activation.md 3): the device's HS256 JWT names the application key (and,
 * in activation scope, its activation); the server answers a fresh temporary P-256 key in an ES256 JWT signed
 * with the master key (application scope) or the activation's server key (activation scope). The private key
 * is sealed at rest with its own AAD, bound to (key id, application key, activation), and expires after
 * `OFFCODE_TEMPORARY_KEY_TTL_MS`; the maintenance sweep purges it.
 */
import { randomUUID } from 'node:crypto';
import { decodeBase64Strict, generateKeyPair, normalizePrivateKey, ProtocolError } from '@offcode/protocol';
import {
  createKeystoreResponseJwt,
  keystoreRequestHmacKey,
  parseKeystoreRequestJwt,
  verifyKeystoreRequestJwt,
} from '@offcode/protocol/pa3';
import { aad } from '../at-rest.js';
import type { ServerContext } from '../context.js';
import { openMasterPrivateKey, openServerPrivateKey } from '../keys.js';
import {
  findApplicationName,
  findTemporaryKey,
  findVersionByKey,
  insertTemporaryKey,
  type TemporaryKeyRow,
} from '../repo/enrollment-queries.js';
import { findActivation, newestMasterKey } from '../repo/queries.js';
import { type ActivationRow, ActivationStatus, type ApplicationVersionRow } from '../repo/rows.js';
import type { SqlExecutor } from '../storage/types.js';
import { inTransaction, service } from '../transactions.js';
import { activationKeysV3, hasV3Keys } from './activation-keys.js';
import { EnrollmentError } from './errors.js';
import {
  checkRequest,
  type EnrollmentRequest,
  malformed,
  type OkEnvelope,
  ok,
  parseWith,
  readRequestObject,
} from './wire.js';

const CODE = 'ERR_TEMPORARY_KEY';

const refuse = (reason: ConstructorParameters<typeof EnrollmentError>[1], detail: string, field?: string) =>
  new EnrollmentError(CODE, reason, detail, { field: field ?? null });

/** The supported application version of an application key, or ERR_TEMPORARY_KEY. */
export async function requireVersion(
  tx: SqlExecutor,
  applicationKey: string,
): Promise<ApplicationVersionRow> {
  const version = await findVersionByKey(tx, applicationKey);
  if (!version?.supported) {
    throw refuse('application', 'the application key is unknown or not supported', 'applicationKey');
  }
  return version;
}

/** Activation scope: an ACTIVE or BLOCKED V3 activation of the same application, with its keys. */
async function requireScopeActivation(
  tx: SqlExecutor,
  activationId: string,
  version: ApplicationVersionRow,
): Promise<ActivationRow> {
  const row = await findActivation(tx, activationId);
  const usable =
    row !== null &&
    (row.status === ActivationStatus.ACTIVE || row.status === ActivationStatus.BLOCKED) &&
    row.applicationId === version.applicationId &&
    hasV3Keys(row);
  if (!usable) {
    throw refuse(
      'activation_state',
      'the activation is unknown, not active or of another application',
      'activationId',
    );
  }
  return row;
}

/** The HS256 key and the ES256 signing key of the request's scope. Both are wiped by the caller. */
async function scopeKeys(
  ctx: ServerContext,
  tx: SqlExecutor,
  version: ApplicationVersionRow,
  activation: ActivationRow | null,
): Promise<{ hmacKey: Uint8Array; signingKey: Uint8Array }> {
  if (activation) {
    const keys = activationKeysV3(ctx, activation);
    try {
      const hmacKey = keystoreRequestHmacKey(ctx.suite, {
        applicationSecret: version.applicationSecret,
        transportKey: keys.transport,
      });
      return { hmacKey, signingKey: openServerPrivateKey(ctx, activation) };
    } finally {
      keys.wipe();
    }
  }
  const master = await newestMasterKey(tx, version.applicationId, 'EC_P256');
  const name = await findApplicationName(tx, version.applicationId);
  if (!master || name === null) throw refuse('application', 'the application has no P-256 master key pair');
  return {
    hmacKey: decodeBase64Strict(version.applicationSecret),
    signingKey: openMasterPrivateKey(ctx, { name }, master),
  };
}

/** A fresh temporary key pair and id (the hook replaces both in transcript replays). */
function freshTemporaryKey(ctx: ServerContext) {
  return (
    ctx.hooks.enrollment?.temporaryKey?.() ?? {
      keyId: randomUUID(),
      keyPair: generateKeyPair(ctx.suite, 'P-256'),
    }
  );
}

export interface KeystoreCreateResponse {
  jwt: string;
}

export function createKeystoreService(ctx: ServerContext) {
  return {
    /** `POST /pa/v3/keystore/create`: `{"requestObject":{"jwt"}}` → `{"status":"OK","responseObject":{"jwt"}}`. */
    create: (request: EnrollmentRequest): Promise<OkEnvelope<KeystoreCreateResponse>> =>
      service(async () => {
        const body = checkRequest(CODE, request);
        const jwt = readRequestObject(CODE, body).jwt;
        if (typeof jwt !== 'string') throw malformed(CODE, 'requestObject.jwt', 'must be a string');
        const parsed = parseWith(CODE, () => parseKeystoreRequestJwt(jwt));
        const now = ctx.now();
        return inTransaction(ctx, async (tx) => {
          const version = await requireVersion(tx, parsed.claims.applicationKey);
          const activationId = parsed.claims.activationId ?? null;
          const activation = activationId ? await requireScopeActivation(tx, activationId, version) : null;
          const keys = await scopeKeys(ctx, tx, version, activation);
          try {
            if (!verifyKeystoreRequestJwt(ctx.suite, parsed, keys.hmacKey)) {
              throw refuse('jwt_signature', 'the request JWT signature does not verify', 'jwt');
            }
            const fresh = freshTemporaryKey(ctx);
            const expiresAt = new Date(now.getTime() + ctx.config.temporaryKeyTtlMs);
            const sealed = ctx.cipher.seal(
              fresh.keyPair.privateKey,
              aad.temporaryPrivateKey(fresh.keyId, version.applicationKey, activationId),
            );
            fresh.keyPair.privateKey.fill(0);
            const inserted = await insertTemporaryKey(tx, {
              keyId: fresh.keyId,
              applicationId: version.applicationId,
              applicationKey: version.applicationKey,
              activationId,
              privateKey: sealed.bytes,
              keyEncryption: sealed.encryption,
              publicKey: fresh.keyPair.publicKey,
              createdAt: now,
              expiresAt,
            });
            if (!inserted) throw new Error('temporary key id collision');
            const claims = {
              keyId: fresh.keyId,
              applicationKey: version.applicationKey,
              challenge: parsed.claims.challenge,
              publicKey: fresh.keyPair.publicKey,
              issuedAtMs: now.getTime(),
              expiresAtMs: expiresAt.getTime(),
              ...(activationId ? { activationId } : {}),
            };
            return ok({
              jwt: createKeystoreResponseJwt(ctx.suite, { signingPrivateKey: keys.signingKey, claims }),
            });
          } finally {
            keys.hmacKey.fill(0);
            keys.signingKey.fill(0);
          }
        });
      }),
  };
}

/**
 * The private key of a temporary key for an ECIES request, after the checks of activation.md 4.5: it exists,
 * has not expired, and is bound to the header's application key and activation (null in application
 * scope). Every failure is ERR_TEMPORARY_KEY. The caller wipes the key.
 */
export async function openTemporaryKey(
  ctx: ServerContext,
  tx: SqlExecutor,
  input: { keyId: string; applicationKey: string; activationId: string | null; now: Date },
): Promise<{ row: TemporaryKeyRow; privateKey: Uint8Array }> {
  const row = await findTemporaryKey(tx, input.keyId);
  if (!row) throw refuse('temporary_key_unknown', 'the temporary key is unknown', 'temporaryKeyId');
  if (row.expiresAt.getTime() <= input.now.getTime()) {
    throw refuse('temporary_key_expired', 'the temporary key has expired', 'temporaryKeyId');
  }
  if (row.applicationKey !== input.applicationKey || row.activationId !== input.activationId) {
    throw refuse(
      'temporary_key_scope',
      'the temporary key belongs to another application or scope',
      'temporaryKeyId',
    );
  }
  const plain = ctx.cipher.open(
    row.privateKey,
    row.keyEncryption,
    aad.temporaryPrivateKey(row.keyId, row.applicationKey, row.activationId),
  );
  try {
    return { row, privateKey: normalizePrivateKey('P-256', plain) };
  } catch (error) {
    if (error instanceof ProtocolError)
      throw new Error('stored temporary key cannot be parsed', { cause: error });
    throw error;
  } finally {
    plain.fill(0);
  }
}
