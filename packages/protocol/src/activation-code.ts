/**
 * PowerAuth V3 activation codes (server.md §2.4, client.md §3.1): 10 CSPRNG bytes ‖ their CRC-16/ARC
 * (big-endian) → RFC 4648 Base32 without padding (20 characters) → four groups of five joined by `-`.
 * The server generates them and checks them at the exchange; the token checks format and CRC before any
 * network call, so a typo never costs a round trip. One implementation for both sides.
 */
import { randomBytes } from '@noble/hashes/utils.js';
import { ProtocolError } from './errors.js';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** Random bytes in a code; the CRC adds two. */
const RANDOM_BYTES = 10;
/**
 * The shape as typed, before upper-casing: ASCII only, so that no other character upper-cases into the
 * alphabet (`ı` → `I`, `ß` → `SS`).
 */
const SHAPE = /^[A-Za-z2-7]{5}-[A-Za-z2-7]{5}-[A-Za-z2-7]{5}-[A-Za-z2-7]{5}$/;

/** CRC-16/ARC: polynomial 0x8005 reflected (0xA001), init 0, no final xor ("123456789" → 0xBB3D). */
export function crc16Arc(bytes: Uint8Array): number {
  if (!(bytes instanceof Uint8Array))
    throw new ProtocolError('INVALID_ARGUMENT', 'bytes', 'must be a Uint8Array');
  let crc = 0;
  for (const b of bytes) {
    crc ^= b;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const b of bytes) {
    buffer = ((buffer << 8) | b) & 0xfff; // at most 4 + 8 bits are pending
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32[(buffer >>> bits) & 31];
    }
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
}

/** Decodes alphabet characters; `leftover` is the value of the unused low bits of the last character. */
function base32Decode(text: string): { bytes: Uint8Array; leftover: number } {
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const ch of text) {
    buffer = (buffer << 5) | BASE32.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((buffer >>> bits) & 0xff);
    }
    buffer &= (1 << bits) - 1;
  }
  return { bytes: Uint8Array.from(out), leftover: buffer };
}

function encode(random: unknown, field: string): string {
  if (!(random instanceof Uint8Array) || random.length !== RANDOM_BYTES) {
    throw new ProtocolError('INVALID_LENGTH', field, `must be ${RANDOM_BYTES} bytes`);
  }
  const crc = crc16Arc(random);
  const text = base32Encode(Uint8Array.from([...random, crc >>> 8, crc & 0xff]));
  return `${text.slice(0, 5)}-${text.slice(5, 10)}-${text.slice(10, 15)}-${text.slice(15, 20)}`;
}

/** The code of exactly 10 given bytes (tests, simulators, codes drawn from another CSPRNG). */
export function encodeActivationCode(random10: Uint8Array): string {
  return encode(random10, 'random10');
}

/** A fresh activation code from the CSPRNG (or from the 10 bytes `random` returns). */
export function generateActivationCode(random: (length: number) => Uint8Array = randomBytes): string {
  return encode(random(RANDOM_BYTES), 'random');
}

/** Why `input` is not an activation code (a rule, never the value), or the canonical upper-case code. */
function check(input: unknown): { code: string } | { problem: string } {
  if (typeof input !== 'string') return { problem: 'must be a string' };
  if (!SHAPE.test(input)) {
    return { problem: 'must be four groups of five Base32 characters (XXXXX-XXXXX-XXXXX-XXXXX)' };
  }
  const code = input.toUpperCase();
  const { bytes, leftover } = base32Decode(code.replaceAll('-', ''));
  // 20 characters carry 100 bits: 12 bytes and 4 unused bits, which must be zero (one text per code).
  const crc = crc16Arc(bytes.subarray(0, RANDOM_BYTES));
  if (leftover !== 0 || bytes[10] !== crc >>> 8 || bytes[11] !== (crc & 0xff)) {
    return { problem: 'checksum does not match (typing error?)' };
  }
  return { code };
}

/**
 * Checks format and CRC; returns the canonical (upper-case) code, or null for anything else. Never throws.
 * Lower case is accepted (server.md §2.4); other characters, spaces and other separators are not.
 */
export function parseActivationCode(input: unknown): string | null {
  const r = check(input);
  return 'code' in r ? r.code : null;
}

/**
 * As {@link parseActivationCode}, but throws `ProtocolError` `INVALID_DATA` naming `field` and the rule
 * that failed (a string, the shape, the checksum); the message never contains the input.
 */
export function parseActivationCodeOrThrow(input: unknown, field = 'activationCode'): string {
  const r = check(input);
  if ('problem' in r) throw new ProtocolError('INVALID_DATA', field, r.problem);
  return r.code;
}
