/**
 * The `PowerAuth key="value" …` header grammar shared by `X-PowerAuth-Encryption` and
 * `X-PowerAuth-Authorization` (activation.md 4.2 and 7). Android separates pairs with spaces, iOS with
 * `", "`; both are read. Values never contain quotes or backslashes, so there is no escaping. The scanner is
 * linear (no backtracking regex) and the header length is bounded.
 */
import { hasControlCharacter } from '../chars.js';
import { ProtocolError } from '../errors.js';
import { checkActivationId, checkApplicationCredential } from './fields.js';

export const MAX_HEADER_LENGTH = 1024;
const PREFIX = 'PowerAuth';

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t';
}

function isKeyChar(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c === '_';
}

/** Reads `key="value"` at `start` into `pairs`; returns the index after the closing quote. */
function readPair(text: string, start: number, pairs: Record<string, string>, field: string): number {
  let i = start;
  while (i < text.length && isKeyChar(text[i]!)) i++;
  const key = text.slice(start, i);
  if (key.length === 0 || text[i] !== '=' || text[i + 1] !== '"') {
    throw new ProtocolError('INVALID_DATA', field, 'must be a list of key="value" pairs');
  }
  const end = text.indexOf('"', i + 2);
  if (end < 0) throw new ProtocolError('INVALID_DATA', field, 'has an unterminated value');
  const value = text.slice(i + 2, end);
  if (value.includes('\\') || hasControlCharacter(value)) {
    throw new ProtocolError('INVALID_DATA', field, 'has a value with a backslash or control character');
  }
  if (key in pairs) throw new ProtocolError('INVALID_DATA', field, `repeats the key ${key}`);
  pairs[key] = value;
  return end + 1;
}

/**
 * The key/value pairs of a PowerAuth header, in a null-prototype map. A duplicated key, a missing quote, a
 * value with a quote, backslash or control character, or anything else between pairs is `INVALID_DATA` on
 * `field`.
 */
export function parsePowerAuthHeader(value: unknown, field: string): Record<string, string> {
  if (typeof value !== 'string') throw new ProtocolError('INVALID_DATA', field, 'must be a string');
  if (value.length > MAX_HEADER_LENGTH) {
    throw new ProtocolError('INVALID_LENGTH', field, `must be at most ${MAX_HEADER_LENGTH} characters`);
  }
  const text = value.trim();
  if (!text.startsWith(PREFIX) || !isSpace(text[PREFIX.length])) {
    throw new ProtocolError('INVALID_DATA', field, 'must start with "PowerAuth "');
  }
  const pairs: Record<string, string> = Object.create(null);
  let i = PREFIX.length;
  for (let first = true; ; first = false) {
    const separatorStart = i;
    while (isSpace(text[i])) i++;
    if (!first && text[i] === ',') {
      i++;
      while (isSpace(text[i])) i++;
    }
    if (i >= text.length) break;
    if (i === separatorStart) {
      throw new ProtocolError('INVALID_DATA', field, 'must separate pairs with spaces or ", "');
    }
    i = readPair(text, i, pairs, field);
  }
  return pairs;
}

/** The value of a required key, or `INVALID_DATA` naming the key. */
export function requiredPair(pairs: Record<string, string>, key: string): string {
  const value = pairs[key];
  if (value === undefined) throw new ProtocolError('INVALID_DATA', key, 'is missing from the header');
  return value;
}

export const ENCRYPTION_HEADER = 'X-PowerAuth-Encryption';

export interface EncryptionHeader {
  /** Always "3.3": other versions are refused (`UNSUPPORTED`). */
  version: '3.3';
  applicationKey: string;
  /** Present exactly in activation scope. */
  activationId?: string;
}

/** Builds `X-PowerAuth-Encryption` in the Android (spaces, default) or iOS (`", "`) form. */
export function buildEncryptionHeader(
  header: { applicationKey: string; activationId?: string },
  opts: { form?: 'android' | 'ios' } = {},
): string {
  const parts = [
    `version="3.3"`,
    `application_key="${checkApplicationCredential(header?.applicationKey, 'applicationKey')}"`,
  ];
  if (header.activationId !== undefined)
    parts.push(`activation_id="${checkActivationId(header.activationId)}"`);
  return `PowerAuth ${parts.join(opts.form === 'ios' ? ', ' : ' ')}`;
}

/**
 * Parses `X-PowerAuth-Encryption`: `version` must be "3.3" (`UNSUPPORTED` otherwise), `application_key`
 * 16 bytes of Base64, `activation_id` (optional) a UUID. Unknown keys are ignored, as CRYPTO's parser does.
 */
export function parseEncryptionHeader(value: unknown): EncryptionHeader {
  const pairs = parsePowerAuthHeader(value, ENCRYPTION_HEADER);
  const version = requiredPair(pairs, 'version');
  if (version !== '3.3')
    throw new ProtocolError('UNSUPPORTED', 'version', 'only ECIES version 3.3 is supported');
  const applicationKey = checkApplicationCredential(
    requiredPair(pairs, 'application_key'),
    'application_key',
  );
  const activationId = pairs.activation_id;
  if (activationId === undefined) return { version, applicationKey };
  return { version, applicationKey, activationId: checkActivationId(activationId, 'activation_id') };
}
