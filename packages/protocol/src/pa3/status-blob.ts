/**
 * The encrypted activation status blob of `POST /pa/v3/activation/status` (activation.md 6), protocol 3.1+
 * layout: 32 bytes, AES-128-CBC without padding under KEY_TRANSPORT, IV bound to the client's challenge and
 * the server's nonce; `ctrDataHash` lets the device find how far the server's counter is ahead.
 */
import { equalBytes } from '@noble/curves/utils.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { ProtocolError } from '../errors.js';
import { type CryptoSuite, checkSuite } from '../suite.js';
import { aes128CbcDecrypt, aes128CbcEncrypt } from './aes-cbc.js';
import { kdfIndex, kdfInternal, requireBytes } from './primitives.js';

export const STATUS_BLOB_BYTES = 32;
/** KDF indices of the status keys derived from KEY_TRANSPORT. */
export const STATUS_KEY_INDEX = { iv: 3000, ctrData: 4000 } as const;

/** Activation states and their blob bytes. */
export const ACTIVATION_STATUS_CODES = {
  CREATED: 1,
  PENDING_COMMIT: 2,
  ACTIVE: 3,
  BLOCKED: 4,
  REMOVED: 5,
} as const;

export type ActivationStatusName = keyof typeof ACTIVATION_STATUS_CODES;
const STATUS_NAMES = Object.keys(ACTIVATION_STATUS_CODES) as ActivationStatusName[];

export interface StatusBlobFields {
  status: ActivationStatusName;
  /** Protocol version of the activation (3). */
  currentVersion: number;
  /** Protocol version the server offers (Offcode: 3). */
  upgradeVersion: number;
  /** Bytes 7-11 (random on the server). */
  reserved: Uint8Array;
  /** Low byte of the numeric signature counter. */
  ctrByte: number;
  failedAttempts: number;
  maxFailedAttempts: number;
  /** The server's lookahead window, 1..64. */
  ctrLookAhead: number;
  /** KDF_INTERNAL(KDF(KEY_TRANSPORT, 4000), CTR_DATA on the server), 16 bytes. */
  ctrDataHash: Uint8Array;
}

function checkByte(value: unknown, field: string, min = 0, max = 255): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ProtocolError('INVALID_ARGUMENT', field, `must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** The 32-byte plaintext (magic DE C0 DE D1). `reserved` defaults to 5 random bytes, as PowerAuth does. */
export function buildStatusBlob(
  fields: Omit<StatusBlobFields, 'reserved'> & { reserved?: Uint8Array },
): Uint8Array {
  if (typeof fields !== 'object' || fields === null)
    throw new ProtocolError('INVALID_ARGUMENT', 'fields', 'must be an object');
  if (!STATUS_NAMES.includes(fields.status)) {
    throw new ProtocolError('INVALID_ARGUMENT', 'status', `must be one of ${STATUS_NAMES.join(', ')}`);
  }
  const blob = new Uint8Array(STATUS_BLOB_BYTES);
  blob.set([0xde, 0xc0, 0xde, 0xd1, ACTIVATION_STATUS_CODES[fields.status]]);
  blob[5] = checkByte(fields.currentVersion, 'currentVersion');
  blob[6] = checkByte(fields.upgradeVersion, 'upgradeVersion');
  blob.set(fields.reserved === undefined ? randomBytes(5) : requireBytes(fields.reserved, 'reserved', 5), 7);
  blob[12] = checkByte(fields.ctrByte, 'ctrByte');
  blob[13] = checkByte(fields.failedAttempts, 'failedAttempts');
  blob[14] = checkByte(fields.maxFailedAttempts, 'maxFailedAttempts');
  blob[15] = checkByte(fields.ctrLookAhead, 'ctrLookAhead', 1, 64);
  blob.set(requireBytes(fields.ctrDataHash, 'ctrDataHash', 16), 16);
  return blob;
}

/**
 * Reads a decrypted blob with the SDK's acceptance rules: exactly 32 bytes, magic `DE C0 DE Dx` with
 * x >= 1, state 1..5, lookahead 1..64. Anything else is `INVALID_DATA` on `statusBlob`.
 */
export function parseStatusBlob(plaintext: unknown): StatusBlobFields {
  if (!(plaintext instanceof Uint8Array))
    throw new ProtocolError('INVALID_DATA', 'statusBlob', 'must be a Uint8Array');
  if (plaintext.length !== STATUS_BLOB_BYTES) {
    throw new ProtocolError('INVALID_LENGTH', 'statusBlob', `must be exactly ${STATUS_BLOB_BYTES} bytes`);
  }
  const b = plaintext;
  if (b[0] !== 0xde || b[1] !== 0xc0 || b[2] !== 0xde || (b[3]! & 0xf0) !== 0xd0 || (b[3]! & 0x0f) === 0) {
    throw new ProtocolError(
      'INVALID_DATA',
      'statusBlob',
      'has no DE C0 DE Dx magic (wrong key or not a 3.1+ blob)',
    );
  }
  const status = STATUS_NAMES[b[4]! - 1];
  if (status === undefined)
    throw new ProtocolError('INVALID_DATA', 'statusBlob', 'has an unknown activation state');
  if (b[15]! < 1 || b[15]! > 64)
    throw new ProtocolError('INVALID_DATA', 'statusBlob', 'has a lookahead outside 1..64');
  return {
    status,
    currentVersion: b[5]!,
    upgradeVersion: b[6]!,
    reserved: b.slice(7, 12),
    ctrByte: b[12]!,
    failedAttempts: b[13]!,
    maxFailedAttempts: b[14]!,
    ctrLookAhead: b[15]!,
    ctrDataHash: b.slice(16, 32),
  };
}

/** ctrDataHash = KDF_INTERNAL(KDF(KEY_TRANSPORT, 4000), CTR_DATA). */
export function statusBlobCtrDataHash(
  suite: CryptoSuite,
  transportKey: Uint8Array,
  ctrData: Uint8Array,
): Uint8Array {
  checkSuite(suite);
  const key = kdfIndex(suite, requireBytes(transportKey, 'transportKey', 16), STATUS_KEY_INDEX.ctrData);
  return kdfInternal(suite, key, requireBytes(ctrData, 'ctrData', 16));
}

/** IV = KDF_INTERNAL(KDF(KEY_TRANSPORT, 3000), challenge || nonce). */
export function statusBlobIv(
  suite: CryptoSuite,
  input: { transportKey: Uint8Array; challenge: Uint8Array; nonce: Uint8Array },
) {
  checkSuite(suite);
  const key = kdfIndex(suite, requireBytes(input?.transportKey, 'transportKey', 16), STATUS_KEY_INDEX.iv);
  const challenge = requireBytes(input.challenge, 'challenge', 16);
  const nonce = requireBytes(input.nonce, 'nonce', 16);
  const data = new Uint8Array(32);
  data.set(challenge, 0);
  data.set(nonce, 16);
  return kdfInternal(suite, key, data);
}

export interface StatusBlobKeys {
  transportKey: Uint8Array;
  /** The client's 16-byte challenge from the request. */
  challenge: Uint8Array;
  /** The server's fresh 16-byte nonce from the response. */
  nonce: Uint8Array;
}

/** Server side: encrypts a 32-byte plaintext from `buildStatusBlob`. */
export function encryptStatusBlob(
  suite: CryptoSuite,
  input: StatusBlobKeys & { plaintext: Uint8Array },
): Uint8Array {
  const plaintext = requireBytes(input?.plaintext, 'plaintext', STATUS_BLOB_BYTES);
  const iv = statusBlobIv(suite, input);
  return aes128CbcEncrypt(suite, input.transportKey, iv, plaintext, { padding: false });
}

/** Device side: decrypts and parses; a blob of any other length than 32 bytes (e.g. PKCS#7-padded 48) is refused. */
export function decryptStatusBlob(
  suite: CryptoSuite,
  input: StatusBlobKeys & { encryptedStatusBlob: Uint8Array },
): StatusBlobFields {
  const encrypted = requireBytes(input?.encryptedStatusBlob, 'encryptedStatusBlob');
  if (encrypted.length !== STATUS_BLOB_BYTES) {
    throw new ProtocolError(
      'INVALID_LENGTH',
      'encryptedStatusBlob',
      `must be exactly ${STATUS_BLOB_BYTES} bytes`,
    );
  }
  const iv = statusBlobIv(suite, input);
  const plaintext = aes128CbcDecrypt(suite, input.transportKey, iv, encrypted, {
    padding: false,
    field: 'encryptedStatusBlob',
  });
  return parseStatusBlob(plaintext);
}

/**
 * How many `next()` steps the server's CTR_DATA is ahead of the device's: the smallest d in
 * 0..lookAhead-1 with ctrDataHash(next^d(ctrData)) = ctrDataHash, or null when none matches (the device is
 * ahead, or behind by lookAhead or more). The SDK's CalculateHashCounterDistance.
 */
export function hashCounterDistance(
  suite: CryptoSuite,
  input: { transportKey: Uint8Array; ctrData: Uint8Array; ctrDataHash: Uint8Array; lookAhead: number },
): number | null {
  checkSuite(suite);
  const lookAhead = checkByte(input?.lookAhead, 'lookAhead', 1, 64);
  const expected = requireBytes(input.ctrDataHash, 'ctrDataHash', 16);
  const key = kdfIndex(suite, requireBytes(input.transportKey, 'transportKey', 16), STATUS_KEY_INDEX.ctrData);
  let counter = requireBytes(input.ctrData, 'ctrData', 16);
  for (let distance = 0; distance < lookAhead; distance++) {
    const hash = kdfInternal(suite, key, counter);
    if (equalBytes(hash, expected)) return distance;
    counter = suite.engine.nextCounter(3, counter);
  }
  return null;
}
