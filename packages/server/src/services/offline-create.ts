/** Offline payload creation: personalized (key type 1 / 2) and non-personalized (key type 0) (server.md §3.1–3.4). */
import {
  type CryptoSuite,
  composeSignedData,
  generateNonce,
  type KeyType,
  kdfV4,
  PayloadFormatError,
  PROTOCOL_PARAMETERS,
  PROTOCOL_VERSIONS,
  ProtocolError,
  type ProtocolVersion,
  signOfflinePayload,
  totp,
  utf8Encode,
  V4_LABELS,
} from '@offcode/protocol';
import type { ServerContext } from '../context.js';
import { OffcodeError } from '../errors.js';
import { algorithmFor, openActivationSecret } from '../keys.js';
import { findActivation, newestMasterKey } from '../repo/queries.js';
import { type ActivationRow, ActivationStatus } from '../repo/rows.js';
import { parseRequest } from '../schema/core.js';
import { read, service } from '../transactions.js';
import { iso } from './activations.js';
import { requireApplication } from './applications.js';
import { refreshDueBlockExpiry } from './blocking.js';
import { SigningKeyCache } from './signing-key-cache.js';

export interface OfflinePayloadResponse {
  /** Complete QR text. */
  offlineData: string;
  /** The nonce inside offlineData (the caller keeps it to build normalized data). */
  nonce: string;
  /** *ext*: registry expiry; null when the registry is off. */
  expiresAt: string | null;
}

/**
 * SHA-256(UTF-8(OPERATION_ID + "&" + OPERATION_DATA)) from lines 0 and 3 of `data` when it has at least 5
 * LF-separated lines and a non-empty line 0 (server.md §3.4), else null. Hashed on the server's engine.
 */
export function payloadBodyHash(suite: CryptoSuite, data: string): Uint8Array | null {
  const lines = data.split('\n');
  if (lines.length < 5 || lines[0] === '') return null;
  return suite.engine.sha256(utf8Encode(`${lines[0]}&${lines[3]}`));
}

/** Bidirectional embedding/override (U+202A..U+202E) and isolate (U+2066..U+2069) controls. */
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/;
const DATA_LINES = ['operation id', 'title', 'message', 'operation data', 'flags'];

/**
 * Refuses bidirectional controls in payload `data` (server.md §1.2) unless OFFCODE_ALLOW_BIDI_CONTROLS: the
 * token shows title, message and operation data to the user, and an override can make "Pay 100 EUR to A"
 * display as something else. The field escapes (`\n`, `\\`, `\*`) cannot produce these characters, so
 * checking the received text is checking what the token decodes.
 */
export function checkBidiControls(data: string, allowed: boolean): void {
  if (allowed || !BIDI_CONTROL.test(data)) return;
  const line = data.split('\n').findIndex((l) => BIDI_CONTROL.test(l));
  const part = DATA_LINES[line] ?? 'extra';
  throw OffcodeError.invalidField(
    'data',
    `line ${line + 1} (${part}) must not contain bidirectional control characters U+202A..U+202E or U+2066..U+2069`,
  );
}

/** Maps a protocol-level refusal of the composed text to ERR0024 on `data` / `nonce`. */
function composeOrReject(input: Parameters<typeof composeSignedData>[0]): string {
  try {
    return composeSignedData(input);
  } catch (error) {
    if (error instanceof PayloadFormatError) {
      const field = error.reason === 'INVALID_NONCE' ? 'nonce' : 'data';
      throw OffcodeError.invalidField(field, error.message);
    }
    throw error;
  }
}

function signOrFail(suite: CryptoSuite, input: Parameters<typeof signOfflinePayload>[1]): string {
  try {
    return signOfflinePayload(suite, input);
  } catch (error) {
    if (error instanceof ProtocolError || error instanceof PayloadFormatError)
      throw new OffcodeError('ERR0013', undefined, { cause: error });
    throw error;
  }
}

/** Records the issued payload (record|enforce) and returns its expiry. OFF-0105 for a live duplicate nonce. */
async function record(
  ctx: ServerContext,
  p: {
    nonce: string;
    applicationId: number;
    activationId: string | null;
    protocolVersion: ProtocolVersion;
    keyType: KeyType;
    data: string;
    proximity: boolean;
    now: Date;
  },
): Promise<Date | null> {
  if (ctx.config.payloadRegistry === 'off') return null;
  const expiresAt = new Date(p.now.getTime() + ctx.config.payloadTtlS * 1000);
  // `issue` is one statement (atomic on its own): no transaction around it, one round trip instead of three.
  const inserted = await read(() =>
    ctx.registry.issue(ctx.storage, {
      nonce: p.nonce,
      applicationId: p.applicationId,
      activationId: p.activationId,
      protocolVersion: p.protocolVersion,
      keyType: String(p.keyType),
      dataSha256: ctx.suite.engine.sha256(utf8Encode(p.data)),
      bodySha256: payloadBodyHash(ctx.suite, p.data),
      proximity: p.proximity,
      now: p.now,
      expiresAt,
    }),
  );
  if (!inserted) {
    // `record` never rejects: the earlier row for this nonce stays the registered one.
    if (ctx.config.payloadRegistry === 'enforce')
      throw new OffcodeError('OFF-0105', undefined, { field: 'nonce' });
    return null;
  }
  return expiresAt;
}

/** Step 1–2 of server.md §3.2: the activation, with a due block expiry applied, that may sign for `version`. */
async function signingActivation(ctx: ServerContext, version: ProtocolVersion, activationId: string) {
  let row = await read(() => findActivation(ctx.storage, activationId));
  if (!row) throw new OffcodeError('ERR0009', undefined, { field: 'activationId' });
  row = await refreshDueBlockExpiry(ctx, row);
  const hasKeys =
    row.protocolVersion !== null && (row.serverPrivateKey !== null || row.activationSecret !== null);
  if (!hasKeys || (row.status !== ActivationStatus.ACTIVE && !ctx.config.compatCreateAnyStatus)) {
    throw new OffcodeError('ERR0008');
  }
  if (row.protocolVersion !== version) throw new OffcodeError('ERR0047');
  return row;
}

/** Step 6: V3 signs with the activation's server private key, V4 MACs with KEY_MAC_PERSONALIZED_DATA. */
function signPersonalized(
  ctx: ServerContext,
  keys: SigningKeyCache,
  row: ActivationRow,
  version: ProtocolVersion,
  signedData: string,
  keyType: KeyType,
): string {
  if (version === 3) {
    const privateKey = keys.serverKey(ctx, row);
    return signOrFail(ctx.suite, { signedData, keyType, protocol: 3, privateKey });
  }
  // Only the branch to KEY_MAC_PERSONALIZED_DATA (KDK `util`, then its label): no factor key is derived.
  const secret = openActivationSecret(ctx, row);
  let util: Uint8Array | null = null;
  let macKey: Uint8Array | null = null;
  try {
    util = kdfV4(ctx.suite, secret, V4_LABELS.kdkUtility);
    macKey = kdfV4(ctx.suite, util, V4_LABELS.macPersonalizedData);
    return signOrFail(ctx.suite, { signedData, keyType, protocol: 4, macKey });
  } finally {
    secret.fill(0);
    util?.fill(0);
    macKey?.fill(0);
  }
}

async function createPersonalized(
  ctx: ServerContext,
  keys: SigningKeyCache,
  version: ProtocolVersion,
  request: unknown,
): Promise<OfflinePayloadResponse> {
  checkVersion(version);
  const req = parseRequest(ctx.schemas.personalizedCreate, request);
  checkBidiControls(req.data, ctx.config.allowBidiControls);
  const row = await signingActivation(ctx, version, req.activationId);
  const now = ctx.now();
  const nonce = req.nonce ?? generateNonce();
  const totpLine = req.proximityCheck
    ? totp(ctx.suite, req.proximityCheck.seed, Math.floor(now.getTime() / 1000), {
        step: req.proximityCheck.stepLength,
        digits: ctx.config.totpDigits,
        algorithm: 'SHA-256',
      })
    : null;
  const keyType: KeyType = PROTOCOL_PARAMETERS[version].personalizedKeyType;
  const signedData = composeOrReject({ data: req.data, totp: totpLine, nonce, keyType });
  const offlineData = signPersonalized(ctx, keys, row, version, signedData, keyType);
  const expiresAt = await record(ctx, {
    nonce,
    applicationId: row.applicationId,
    activationId: row.activationId,
    protocolVersion: version,
    keyType,
    data: req.data,
    proximity: totpLine !== null,
    now,
  });
  return { offlineData, nonce, expiresAt: iso(expiresAt) };
}

async function createNonPersonalized(
  ctx: ServerContext,
  keys: SigningKeyCache,
  version: ProtocolVersion,
  request: unknown,
): Promise<OfflinePayloadResponse> {
  checkVersion(version);
  const req = parseRequest(ctx.schemas.nonPersonalizedCreate, request);
  checkBidiControls(req.data, ctx.config.allowBidiControls);
  const { app, master } = await read(async () => {
    const app = await requireApplication(ctx.storage, req.applicationId);
    return { app, master: await newestMasterKey(ctx.storage, app.id, algorithmFor(version)) };
  });
  if (!master) throw new OffcodeError('ERR0003');
  const now = ctx.now();
  const nonce = generateNonce();
  const keyType = PROTOCOL_PARAMETERS[version].nonPersonalizedKeyType;
  const signedData = composeOrReject({ data: req.data, nonce, keyType });
  const privateKey = keys.masterKey(ctx, app, master);
  const offlineData = signOrFail(ctx.suite, { signedData, keyType, protocol: version, privateKey });
  const expiresAt = await record(ctx, {
    nonce,
    applicationId: app.id,
    activationId: null,
    protocolVersion: version,
    keyType,
    data: req.data,
    proximity: false,
    now,
  });
  return { offlineData, nonce, expiresAt: iso(expiresAt) };
}

export function createOfflineCreateService(ctx: ServerContext) {
  // One cache per server instance: its entries were unsealed with this server's cipher (server.md §5.4).
  const keys = new SigningKeyCache();
  return {
    createPersonalized: (version: ProtocolVersion, request: unknown): Promise<OfflinePayloadResponse> =>
      service(() => createPersonalized(ctx, keys, version, request)),
    createNonPersonalized: (version: ProtocolVersion, request: unknown): Promise<OfflinePayloadResponse> =>
      service(() => createNonPersonalized(ctx, keys, version, request)),
    /** The signing-key cache (tests and diagnostics: hits, misses, size). */
    signingKeys: keys,
  };
}

/** The endpoint version argument (not a request field, but checked like one). */
export function checkVersion(version: unknown): asserts version is ProtocolVersion {
  if (!PROTOCOL_VERSIONS.includes(version as ProtocolVersion))
    throw OffcodeError.invalidField('version', 'must be 3 or 4');
}
