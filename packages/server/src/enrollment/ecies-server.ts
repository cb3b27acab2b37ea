/**
 * The server side of one ECIES 3.3 request (activation.md 4.3, 4.5 and "Offcode decisions" 3): the
 * timestamp within `OFFCODE_ECIES_WINDOW_MS` on both sides of the server clock, the temporary key found and
 * bound to the header, the MAC checked in constant time before anything is decrypted, and the
 * `(ephemeral key, nonce[, activation])` digest recorded in the database so that every process sharing it
 * refuses a replay. Every refusal is thrown before anything is written, and the replay row belongs to the
 * request's transaction (a rolled-back request leaves no digest behind).
 */
import { ProtocolError, utf8Encode } from '@offcode/protocol';
import {
  decryptEciesRequest,
  type EciesEnvelope,
  type EciesRequest,
  type EciesResponse,
  type EciesSharedInfo1,
  eciesResponseToJson,
  encryptEciesResponse,
} from '@offcode/protocol/pa3';
import type { ServerContext } from '../context.js';
import { insertReplayDigest } from '../repo/enrollment-queries.js';
import type { ApplicationVersionRow } from '../repo/rows.js';
import type { SqlExecutor } from '../storage/types.js';
import { EnrollmentError } from './errors.js';
import { openTemporaryKey } from './temporary-keys.js';

const CODE = 'ERR_ENCRYPTION';

/** Refuses a request timestamp further than the window from the server clock, in either direction. */
export function checkTimestampWindow(ctx: ServerContext, timestamp: number, now: Date, field: string): void {
  if (Math.abs(now.getTime() - timestamp) > ctx.config.eciesWindowMs) {
    throw new EnrollmentError(CODE, 'timestamp_window', 'the request timestamp is outside the window', {
      field,
    });
  }
}

const REPLAY_LABEL = utf8Encode('offcode:v1|ecies-replay');

/** SHA-256 over a label, the ephemeral key, the nonce and the activation id (empty in application scope). */
function replayDigest(ctx: ServerContext, request: EciesRequest, activationId: string | null): Uint8Array {
  const parts = [REPLAY_LABEL, request.ephemeralPublicKey, request.nonce, utf8Encode(activationId ?? '')];
  const data = new Uint8Array(parts.reduce((n, p) => n + 4 + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    new DataView(data.buffer).setUint32(offset, p.length, false);
    data.set(p, offset + 4);
    offset += 4 + p.length;
  }
  return ctx.suite.engine.sha256(data);
}

export interface OpenedRequest {
  plaintext: Uint8Array;
  /** Keep for the response; secret. */
  envelope: EciesEnvelope;
}

function decryptionRefusal(error: unknown): never {
  if (error instanceof ProtocolError) {
    if (error.field === 'mac') {
      throw new EnrollmentError(CODE, 'mac', 'the MAC does not verify', { field: 'mac', cause: error });
    }
    if (error.field === 'encryptedData' && error.code === 'INVALID_DATA') {
      throw new EnrollmentError(CODE, 'padding', 'the ciphertext does not decrypt', {
        field: 'encryptedData',
        cause: error,
      });
    }
    throw new EnrollmentError(CODE, 'malformed', error.message, { field: error.field, cause: error });
  }
  throw error;
}

/**
 * Decrypts one application-scope request (`sharedInfo1` of the layer) addressed to the temporary key it
 * names, after the window and key checks, and records its replay digest.
 */
export async function openApplicationRequest(
  ctx: ServerContext,
  tx: SqlExecutor,
  input: {
    request: EciesRequest;
    sharedInfo1: EciesSharedInfo1;
    version: ApplicationVersionRow;
    now: Date;
    /** Field prefix of this layer in messages (`activationData.` for the inner one). */
    field: string;
  },
): Promise<OpenedRequest> {
  const { request, version, now } = input;
  checkTimestampWindow(ctx, request.timestamp, now, `${input.field}timestamp`);
  const key = await openTemporaryKey(ctx, tx, {
    keyId: request.temporaryKeyId,
    applicationKey: version.applicationKey,
    activationId: null,
    now,
  });
  let opened: OpenedRequest;
  try {
    opened = decryptEciesRequest(
      ctx.suite,
      {
        scope: 'application',
        sharedInfo1: input.sharedInfo1,
        applicationKey: version.applicationKey,
        applicationSecret: version.applicationSecret,
      },
      { recipientPrivateKey: key.privateKey, request },
    );
  } catch (error) {
    decryptionRefusal(error);
  } finally {
    key.privateKey.fill(0);
  }
  const keepUntil = new Date(Math.max(now.getTime(), request.timestamp) + ctx.config.eciesWindowMs);
  if (!(await insertReplayDigest(tx, replayDigest(ctx, request, null), keepUntil))) {
    throw new EnrollmentError(CODE, 'replay', 'the request was already received', {
      field: `${input.field}nonce`,
    });
  }
  return opened;
}

/** Encrypts a response with a fresh nonce and the server time (the hook fixes both in replays). */
export function sealResponse(
  ctx: ServerContext,
  envelope: EciesEnvelope,
  sharedInfo1: EciesSharedInfo1,
  plaintext: Uint8Array,
): ReturnType<typeof eciesResponseToJson> {
  const fixed = ctx.hooks.enrollment?.eciesResponse?.(sharedInfo1);
  const response: EciesResponse = encryptEciesResponse(ctx.suite, envelope, {
    plaintext,
    ...(fixed ? { nonce: fixed.nonce, timestamp: fixed.timestamp } : { timestamp: ctx.now().getTime() }),
  });
  return eciesResponseToJson(response);
}
