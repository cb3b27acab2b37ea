/** Field formats of server.md §1.2 as schemas. Reasons never echo values (some fields are secret). */
import {
  isWellFormedString,
  PROTOCOL_VERSIONS,
  type ProtocolVersion,
  parseActivationCode,
  parseSubmittedCode,
  SUBMITTED_CODE_PATTERN,
  tryDecodeBase64Strict,
  utf8Length,
} from '@offcode/protocol';
import { hasControlCharacter } from '../text.js';
import { addIssue, INVALID, type Invalid, type JsonSchema, type ParseContext, type Schema } from './core.js';

const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const NONCE_RE = /^[A-Za-z0-9+/]{21}[AQgw]==$/;
const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})$/;

function schema<T>(
  json: JsonSchema,
  parse: (value: unknown, path: string, ctx: ParseContext) => T | Invalid,
): Schema<T> {
  return { parse, json: () => ({ ...json }) };
}

function expectString(value: unknown, path: string, ctx: ParseContext): string | Invalid {
  return typeof value === 'string' ? value : addIssue(ctx, path, 'must be a string');
}

/** Canonical UUID, case-insensitive, normalised to lower case. */
export const uuid = (): Schema<string> =>
  schema({ type: 'string', format: 'uuid', pattern: UUID_RE.source }, (value, path, ctx) => {
    const s = expectString(value, path, ctx);
    if (s === INVALID) return s;
    return UUID_RE.test(s) ? s.toLowerCase() : addIssue(ctx, path, 'must be a UUID (8-4-4-4-12 hex digits)');
  });

/** Names: 1..255 characters, no control characters, well-formed Unicode. */
export const name = (): Schema<string> =>
  schema({ type: 'string', minLength: 1, maxLength: 255 }, (value, path, ctx) => {
    const s = expectString(value, path, ctx);
    if (s === INVALID) return s;
    if (!isWellFormedString(s) || hasControlCharacter(s)) {
      return addIssue(ctx, path, 'must not contain control characters or lone surrogates');
    }
    const length = [...s].length;
    return length >= 1 && length <= 255 ? s : addIssue(ctx, path, 'must be 1..255 characters');
  });

/** Integer in [min, max]; a decimal-digit string is accepted too (Jackson coercion). */
export const int = (min: number, max: number): Schema<number> =>
  schema({ type: 'integer', minimum: min, maximum: max }, (value, path, ctx) => {
    let n: number = Number.NaN;
    if (typeof value === 'number') n = value;
    else if (typeof value === 'string' && /^-?[0-9]{1,16}$/.test(value)) n = Number(value);
    if (!Number.isSafeInteger(n) || n < min || n > max)
      return addIssue(ctx, path, `must be an integer in ${min}..${max}`);
    return n;
  });

/** Boolean; "true"/"false" strings are accepted too (Jackson coercion). */
export const bool = (): Schema<boolean> =>
  schema({ type: 'boolean' }, (value, path, ctx) => {
    if (typeof value === 'boolean') return value;
    if (value === 'true') return true;
    if (value === 'false') return false;
    return addIssue(ctx, path, 'must be true or false');
  });

/** One of the given names (exact). */
export const enumOf = <const T extends string>(values: readonly T[]): Schema<T> =>
  schema({ type: 'string', enum: [...values] }, (value, path, ctx) =>
    typeof value === 'string' && (values as readonly string[]).includes(value)
      ? (value as T)
      : addIssue(ctx, path, `must be one of ${values.join(', ')}`),
  );

/** Integer protocol version 3 or 4 (digit strings accepted). */
export const protocolVersion = (): Schema<ProtocolVersion> =>
  schema({ type: 'integer', enum: [...PROTOCOL_VERSIONS] }, (value, path, ctx) => {
    const n = typeof value === 'string' && /^[0-9]$/.test(value) ? Number(value) : value;
    return PROTOCOL_VERSIONS.includes(n as ProtocolVersion)
      ? (n as ProtocolVersion)
      : addIssue(ctx, path, 'must be 3 or 4');
  });

/** Strict Base64 decoding to `min..max` bytes; the bytes are returned. */
export const base64Bytes = (min: number, max: number): Schema<Uint8Array> =>
  schema({ type: 'string', format: 'byte' }, (value, path, ctx) => {
    const s = expectString(value, path, ctx);
    if (s === INVALID) return s;
    const bytes = s.length <= Math.ceil(max / 3) * 4 ? tryDecodeBase64Strict(s) : null;
    if (!bytes || bytes.length < min || bytes.length > max) {
      return addIssue(
        ctx,
        path,
        min === max ? `must be Base64 of ${min} bytes` : `must be Base64 of ${min}..${max} bytes`,
      );
    }
    return bytes;
  });

/** Payload nonce: strict Base64 of exactly 16 bytes (kept as the string). */
export const nonce = (): Schema<string> =>
  schema({ type: 'string', format: 'byte', pattern: NONCE_RE.source }, (value, path, ctx) => {
    const s = expectString(value, path, ctx);
    if (s === INVALID) return s;
    return NONCE_RE.test(s) ? s : addIssue(ctx, path, 'must be Base64 of 16 bytes');
  });

/**
 * Offline code in PowerAuth's wire form `^[0-9]{4,8}(-[0-9]{4,8}){0,2}$` (`parseSubmittedCode` decides; a
 * well-formed code of another group count or length is a failed attempt later, not an input error).
 */
export const code = (): Schema<string> =>
  schema({ type: 'string', pattern: SUBMITTED_CODE_PATTERN }, (value, path, ctx) => {
    const s = expectString(value, path, ctx);
    if (s === INVALID) return s;
    const parsed = parseSubmittedCode(s);
    return parsed.ok || parsed.wellFormed
      ? s
      : addIssue(ctx, path, 'must be groups of 4..8 digits joined by "-"');
  });

/** A code as a user typed it: text up to `maxLength` characters, normalised later for the activation. */
export const typedCode = (maxLength: number): Schema<string> =>
  schema({ type: 'string', maxLength }, (value, path, ctx) => {
    const s = expectString(value, path, ctx);
    if (s === INVALID) return s;
    return s.length <= maxLength ? s : addIssue(ctx, path, 'is too long for a code');
  });

/** Activation code `XXXXX-XXXXX-XXXXX-XXXXX` with a valid CRC; upper-cased. */
export const activationCode = (): Schema<string> =>
  schema({ type: 'string', pattern: '^[A-Za-z2-7]{5}(-[A-Za-z2-7]{5}){3}$' }, (value, path, ctx) => {
    const s = expectString(value, path, ctx);
    if (s === INVALID) return s;
    return (
      parseActivationCode(s) ??
      addIssue(ctx, path, 'must be an activation code XXXXX-XXXXX-XXXXX-XXXXX with a valid checksum')
    );
  });

/** Offline payload `data` (create): 1..maxBytes UTF-8 bytes, no CR, no NUL, no lone surrogates. */
export const payloadData = (maxBytes: number): Schema<string> =>
  schema(
    { type: 'string', minLength: 1, description: `1..${maxBytes} UTF-8 bytes, no CR, no NUL` },
    (value, path, ctx) => {
      const s = expectString(value, path, ctx);
      if (s === INVALID) return s;
      if (!isWellFormedString(s)) return addIssue(ctx, path, 'must not contain lone surrogates');
      if (s.includes('\r')) return addIssue(ctx, path, 'must not contain CR');
      if (s.includes('\u0000')) return addIssue(ctx, path, 'must not contain NUL');
      const bytes = s.length > maxBytes ? maxBytes + 1 : utf8Length(s);
      if (bytes < 1 || bytes > maxBytes) return addIssue(ctx, path, `must be 1..${maxBytes} UTF-8 bytes`);
      return s;
    },
  );

/** Plain text up to `maxLength` characters (no further rule). */
export const text = (maxLength: number): Schema<string> =>
  schema({ type: 'string', maxLength }, (value, path, ctx) => {
    const s = expectString(value, path, ctx);
    if (s === INVALID) return s;
    return s.length <= maxLength && isWellFormedString(s)
      ? s
      : addIssue(ctx, path, `must be at most ${maxLength} characters`);
  });

/**
 * The instants every date field accepts: what both databases store as `timestamptz` and what the answers
 * print as four-digit ISO years (PostgreSQL itself reaches 4713 BC..294276 AD, JavaScript ±8.64e15 ms).
 */
export const DATE_MIN_MS = Date.parse('0001-01-01T00:00:00.000Z');
export const DATE_MAX_MS = Date.parse('9999-12-31T23:59:59.999Z');

/** Epoch milliseconds of an ISO 8601 date-time with offset (calendar-checked), or NaN. */
function isoToMs(value: string): number {
  const m = ISO_RE.exec(value);
  if (!m) return Number.NaN;
  const [, y, mo, d, h, mi, s] = m;
  const month = Number(mo);
  const day = Number(d);
  const valid =
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= new Date(Date.UTC(Number(y), month, 0)).getUTCDate() &&
    Number(h) < 24 &&
    Number(mi) < 60 &&
    Number(s ?? 0) < 60;
  return valid ? Date.parse(value) : Number.NaN;
}

/**
 * DateTime input: ISO 8601 with an offset, an integer of epoch milliseconds, or a Date. The instant (after
 * applying the offset) must lie in 0001-01-01T00:00:00.000Z..9999-12-31T23:59:59.999Z.
 */
export const dateTime = (): Schema<Date> =>
  schema({ type: 'string', format: 'date-time' }, (value, path, ctx) => {
    let ms = Number.NaN;
    if (value instanceof Date) ms = value.getTime();
    else if (typeof value === 'number' && Number.isSafeInteger(value)) ms = value;
    else if (typeof value === 'string' && /^[0-9]{1,16}$/.test(value)) ms = Number(value);
    else if (typeof value === 'string') ms = isoToMs(value);
    if (!Number.isFinite(ms)) {
      return addIssue(ctx, path, 'must be an ISO 8601 date-time with offset or epoch milliseconds');
    }
    if (ms < DATE_MIN_MS || ms > DATE_MAX_MS) {
      return addIssue(ctx, path, 'must be between 0001-01-01 and 9999-12-31');
    }
    return new Date(ms);
  });

/** Array of items with at most `maxItems` entries. */
export function arrayOf<T>(item: Schema<T>, maxItems: number): Schema<T[]> {
  return {
    json: () => ({ type: 'array', items: item.json(), maxItems }),
    parse(value, path, ctx) {
      if (!Array.isArray(value)) return addIssue(ctx, path, 'must be an array');
      if (value.length > maxItems) return addIssue(ctx, path, `must have at most ${maxItems} items`);
      const before = ctx.issues.length;
      const out: T[] = [];
      value.forEach((v, i) => {
        const parsed =
          v === null || v === undefined
            ? addIssue(ctx, `${path}[${i}]`, 'is required')
            : item.parse(v, `${path}[${i}]`, ctx);
        if (parsed !== INVALID) out.push(parsed);
      });
      return ctx.issues.length === before ? out : INVALID;
    },
  };
}

/** A custom string check: `check` returns the parsed value or a reason string (prefixed with `!`). */
export function customString<T>(json: JsonSchema, check: (s: string) => T | { reason: string }): Schema<T> {
  return schema(json, (value, path, ctx) => {
    const s = expectString(value, path, ctx);
    if (s === INVALID) return s;
    const result = check(s);
    if (result !== null && typeof result === 'object' && 'reason' in (result as object)) {
      return addIssue(ctx, path, (result as { reason: string }).reason);
    }
    return result as T;
  });
}
