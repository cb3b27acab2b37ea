/**
 * The token state document (client.md §2.1): one JSON object per token, bytes as strict Base64. The token
 * validates every field when it reads the store; anything unexpected is STORAGE_FAILURE, never a silent
 * reset (a reset would lose the counter and desynchronise the token).
 */
import {
  encodeBase64,
  PROTOCOL_PARAMETERS,
  type ProtocolVersion,
  tryDecodeBase64Strict,
} from '@offcode/protocol';
import { OffcodeClientError } from './errors.js';
import type { KnowledgeKeyScheme, WrappedKnowledgeKey } from './pin.js';
import { schemeFor } from './pin.js';

export const TOKEN_STATE_FORMAT = 'offcode-token/1';

/** The protocol version of an activation (the one `ProtocolVersion` type, re-exported under its 0.1 name). */
export type Protocol = ProtocolVersion;
export type ActivationStatus = 'CREATED' | 'PENDING_COMMIT' | 'ACTIVE' | 'BLOCKED' | 'REMOVED';
export const ACTIVATION_STATUSES: readonly ActivationStatus[] = [
  'CREATED',
  'PENDING_COMMIT',
  'ACTIVE',
  'BLOCKED',
  'REMOVED',
];

export type BiometryKeyState =
  | { protection: 'none'; key: Uint8Array }
  | { protection: 'platform'; ref: string }
  | null;

/**
 * What a PowerAuth-enrolled token keeps besides the keys (client.md §2.1): the application credentials its
 * online signatures need and KEY_TRANSPORT for the status blob. `null` for plain-exchange tokens.
 */
export interface PowerAuthState {
  /** APP_KEY, Base64 text of 16 bytes. */
  applicationKey: string;
  /** APP_SECRET, Base64 text of 16 bytes (the text is what the signatures use). */
  applicationSecret: string;
  /** KEY_TRANSPORT, 16 bytes. */
  transportKey: Uint8Array;
}

/** In-memory form of the state document. */
export interface TokenState {
  format: typeof TOKEN_STATE_FORMAT;
  protocol: Protocol;
  activationId: string;
  applicationId: string;
  serverUrl: string;
  activationStatus: ActivationStatus;
  blockedReason: string | null;
  statusCheckedAt: string | null;
  componentLength: number;
  counter: number;
  ctrData: Uint8Array;
  possessionKey: Uint8Array;
  knowledgeKey: WrappedKnowledgeKey;
  biometryKey: BiometryKeyState;
  serverPublicKey: Uint8Array;
  macKey: Uint8Array | null;
  masterPublicKeys: Uint8Array[];
  /** Absent or null: a plain-exchange token. */
  powerAuth?: PowerAuthState | null;
  createdAt: string;
  updatedAt: string;
}

/** What the last PowerAuth status read found about the counters (client.md §3.4). */
export type CounterSync = 'in-sync' | 'resynchronized' | 'device-ahead' | 'out-of-sync';

/** The status blob's news, in the answer of a PowerAuth `status({ remote: true })` only (not stored). */
export interface PowerAuthStatusDetails {
  counterSync: CounterSync;
  /** Steps the token moved forward to meet the server (`resynchronized`), else 0. */
  counterSteps: number;
  failedAttempts: number;
  maxFailedAttempts: number;
}

/** What `status()` and `offcode token status` show: never secrets (client.md §5.3). */
export interface TokenStatus {
  activationId: string;
  protocol: Protocol;
  activationStatus: ActivationStatus;
  blockedReason: string | null;
  statusCheckedAt: string | null;
  applicationId: string;
  serverUrl: string;
  componentLength: number;
  counter: number;
  biometry: boolean;
  /** How the token enrolled: `powerauth` (PowerAuth 3.3 activation/create) or `plain` (Offcode exchange). */
  mechanism: 'plain' | 'powerauth';
  /** Only right after a PowerAuth refresh (`status({ remote: true })`, `activate`). */
  powerAuth?: PowerAuthStatusDetails;
  createdAt: string;
  updatedAt: string;
}

export const keySize = (protocol: Protocol): number => PROTOCOL_PARAMETERS[protocol].factorKeyBytes;
export const pointSize = (protocol: Protocol): number => PROTOCOL_PARAMETERS[protocol].publicKeyBytes;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

export function toStatus(s: TokenState): TokenStatus {
  return {
    activationId: s.activationId,
    protocol: s.protocol,
    activationStatus: s.activationStatus,
    blockedReason: s.blockedReason,
    statusCheckedAt: s.statusCheckedAt,
    applicationId: s.applicationId,
    serverUrl: s.serverUrl,
    componentLength: s.componentLength,
    counter: s.counter,
    biometry: s.biometryKey !== null,
    mechanism: s.powerAuth ? 'powerauth' : 'plain',
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}

/** The JSON text written to the store (fields in client.md §2.1 order). */
export function serializeState(s: TokenState): string {
  const doc = {
    format: s.format,
    protocol: s.protocol,
    activationId: s.activationId,
    applicationId: s.applicationId,
    serverUrl: s.serverUrl,
    activationStatus: s.activationStatus,
    blockedReason: s.blockedReason,
    statusCheckedAt: s.statusCheckedAt,
    componentLength: s.componentLength,
    counter: s.counter,
    ctrData: encodeBase64(s.ctrData),
    possessionKey: encodeBase64(s.possessionKey),
    knowledgeKey: {
      scheme: s.knowledgeKey.scheme,
      salt: encodeBase64(s.knowledgeKey.salt),
      wrapped: encodeBase64(s.knowledgeKey.wrapped),
    },
    biometryKey:
      s.biometryKey === null
        ? null
        : s.biometryKey.protection === 'none'
          ? { protection: 'none', key: encodeBase64(s.biometryKey.key) }
          : { protection: 'platform', ref: s.biometryKey.ref },
    serverPublicKey: encodeBase64(s.serverPublicKey),
    macKey: s.macKey === null ? null : encodeBase64(s.macKey),
    masterPublicKeys: s.masterPublicKeys.map(encodeBase64),
    // Written only for PowerAuth-enrolled tokens: a plain token's document is unchanged.
    ...(!s.powerAuth
      ? {}
      : {
          powerAuth: {
            applicationKey: s.powerAuth.applicationKey,
            applicationSecret: s.powerAuth.applicationSecret,
            transportKey: encodeBase64(s.powerAuth.transportKey),
          },
        }),
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
  return JSON.stringify(doc, null, 2) + '\n';
}

function fail(field: string, rule: string): never {
  throw new OffcodeClientError('STORAGE_FAILURE', `stored token state is invalid: ${field} ${rule}`);
}

type Doc = Record<string, unknown>;

function str(doc: Doc, field: string, min = 1, max = 2048): string {
  const v = doc[field];
  if (typeof v !== 'string' || v.length < min || v.length > max) fail(field, 'must be a string');
  return v;
}

function nullableStr(doc: Doc, field: string): string | null {
  const v = doc[field];
  if (v === null) return null;
  if (typeof v !== 'string' || v.length > 255) fail(field, 'must be a string or null');
  return v;
}

function bytes(doc: Doc, field: string, length: number, path = field): Uint8Array {
  const v = doc[field];
  const out = typeof v === 'string' ? tryDecodeBase64Strict(v) : null;
  if (out === null || out.length !== length) fail(path, `must be strict Base64 of ${length} bytes`);
  return out;
}

function isoTime(doc: Doc, field: string, nullable: boolean): string | null {
  const v = doc[field];
  if (v === null && nullable) return null;
  if (typeof v !== 'string' || !ISO.test(v)) fail(field, 'must be an ISO 8601 UTC time');
  return v;
}

function isPoint(b: Uint8Array, protocol: Protocol): boolean {
  return b.length === pointSize(protocol) && b[0] === 0x04;
}

/**
 * Parses and validates a stored document. `validatePoint` (optional) checks that a public key lies on the
 * protocol's curve.
 */
export function parseState(
  text: string,
  validatePoint?: (protocol: Protocol, point: Uint8Array) => boolean,
): TokenState {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new OffcodeClientError('STORAGE_FAILURE', 'stored token state is not valid JSON', { cause: e });
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    fail('document', 'must be a JSON object');
  const d = doc as Doc;
  if (d.format !== TOKEN_STATE_FORMAT) {
    throw new OffcodeClientError(
      'STORAGE_FAILURE',
      `stored token state has an unsupported format (expected "${TOKEN_STATE_FORMAT}")`,
    );
  }
  const protocol = d.protocol;
  if (protocol !== 3 && protocol !== 4) fail('protocol', 'must be 3 or 4');
  const size = keySize(protocol);
  const activationId = str(d, 'activationId');
  if (!UUID.test(activationId)) fail('activationId', 'must be a UUID');
  const applicationId = str(d, 'applicationId', 1, 255);
  const serverUrl = str(d, 'serverUrl');
  const activationStatus = d.activationStatus as ActivationStatus;
  if (!ACTIVATION_STATUSES.includes(activationStatus)) fail('activationStatus', 'is not a known status');
  const componentLength = d.componentLength;
  if (
    typeof componentLength !== 'number' ||
    !Number.isInteger(componentLength) ||
    componentLength < 4 ||
    componentLength > 8
  ) {
    fail('componentLength', 'must be an integer 4..8');
  }
  const counter = d.counter;
  if (typeof counter !== 'number' || !Number.isSafeInteger(counter) || counter < 0) {
    fail('counter', 'must be a non-negative integer');
  }
  const kk = d.knowledgeKey;
  if (typeof kk !== 'object' || kk === null || Array.isArray(kk)) fail('knowledgeKey', 'must be an object');
  const kkd = kk as Doc;
  if (kkd.scheme !== schemeFor(protocol)) fail('knowledgeKey.scheme', `must be "${schemeFor(protocol)}"`);
  const knowledgeKey: WrappedKnowledgeKey = {
    scheme: kkd.scheme as KnowledgeKeyScheme,
    salt: bytes(kkd, 'salt', size, 'knowledgeKey.salt'),
    wrapped: bytes(kkd, 'wrapped', size, 'knowledgeKey.wrapped'),
  };
  let biometryKey: BiometryKeyState = null;
  const bk = d.biometryKey;
  if (bk !== null) {
    if (typeof bk !== 'object' || Array.isArray(bk)) fail('biometryKey', 'must be an object or null');
    const bkd = bk as Doc;
    if (bkd.protection === 'none')
      biometryKey = { protection: 'none', key: bytes(bkd, 'key', size, 'biometryKey.key') };
    else if (bkd.protection === 'platform')
      biometryKey = { protection: 'platform', ref: str(bkd, 'ref', 1, 1024) };
    else fail('biometryKey.protection', 'must be "none" or "platform"');
  }
  const serverPublicKey = bytes(d, 'serverPublicKey', pointSize(protocol));
  const macKey =
    protocol === 4
      ? bytes(d, 'macKey', 32)
      : d.macKey === null
        ? null
        : fail('macKey', 'must be null for protocol 3');
  const mpk = d.masterPublicKeys;
  if (!Array.isArray(mpk) || mpk.length < 1 || mpk.length > 16)
    fail('masterPublicKeys', 'must list 1..16 keys');
  const masterPublicKeys = mpk.map((_, i) =>
    bytes(mpk as unknown as Doc, String(i), pointSize(protocol), `masterPublicKeys[${i}]`),
  );
  for (const [field, point] of [
    ['serverPublicKey', serverPublicKey],
    ...masterPublicKeys.map((p, i) => [`masterPublicKeys[${i}]`, p] as const),
  ] as const) {
    if (!isPoint(point, protocol) || (validatePoint && !validatePoint(protocol, point))) {
      fail(field, `must be an uncompressed point on ${PROTOCOL_PARAMETERS[protocol].curve}`);
    }
  }
  return {
    format: TOKEN_STATE_FORMAT,
    protocol,
    activationId: activationId.toLowerCase(),
    applicationId,
    serverUrl,
    activationStatus,
    blockedReason: nullableStr(d, 'blockedReason'),
    statusCheckedAt: isoTime(d, 'statusCheckedAt', true),
    componentLength,
    counter,
    ctrData: bytes(d, 'ctrData', size),
    possessionKey: bytes(d, 'possessionKey', size),
    knowledgeKey,
    biometryKey,
    serverPublicKey,
    macKey,
    masterPublicKeys,
    powerAuth: parsePowerAuth(d, protocol),
    createdAt: isoTime(d, 'createdAt', false) as string,
    updatedAt: isoTime(d, 'updatedAt', false) as string,
  };
}

/** The optional `powerAuth` member (absent or null for plain tokens; V3 only). */
function parsePowerAuth(d: Doc, protocol: Protocol): PowerAuthState | null {
  const v = d.powerAuth;
  if (v === undefined || v === null) return null;
  if (typeof v !== 'object' || Array.isArray(v)) fail('powerAuth', 'must be an object or null');
  if (protocol !== 3) fail('powerAuth', 'is only valid for protocol 3');
  const p = v as Doc;
  const credential = (field: string): string => {
    const text = p[field];
    if (typeof text !== 'string') fail(`powerAuth.${field}`, 'must be strict Base64 of 16 bytes');
    bytes(p, field, 16, `powerAuth.${field}`);
    return text;
  };
  return {
    applicationKey: credential('applicationKey'),
    applicationSecret: credential('applicationSecret'),
    transportKey: bytes(p, 'transportKey', 16, 'powerAuth.transportKey'),
  };
}

/** Zeroes every secret buffer of a state object that is no longer needed. */
export function zeroizeState(s: TokenState | null | undefined): void {
  if (!s) return;
  s.ctrData.fill(0);
  s.possessionKey.fill(0);
  s.knowledgeKey.wrapped.fill(0);
  s.knowledgeKey.salt.fill(0);
  if (s.biometryKey?.protection === 'none') s.biometryKey.key.fill(0);
  s.macKey?.fill(0);
  s.powerAuth?.transportKey.fill(0);
}
