/**
 * PowerAuth activation codes (server.md §2.4): 10 random bytes ‖ CRC-16/ARC (big-endian) → RFC 4648
 * Base32 without padding → four groups of five characters joined by "-". The token checks format and CRC
 * before any network call, so a typo never costs a server round trip.
 */
import { OffcodeClientError } from './errors.js';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const SHAPE = /^[A-Z2-7]{5}-[A-Z2-7]{5}-[A-Z2-7]{5}-[A-Z2-7]{5}$/;

/** CRC-16/ARC: polynomial 0x8005 reflected (0xA001), init 0, no final xor ("123456789" → 0xBB3D). */
export function crc16Arc(bytes: Uint8Array): number {
  let crc = 0;
  for (const b of bytes) {
    crc ^= b;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

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

/** Upper-cases and validates an activation code; returns the canonical form or throws INVALID_INPUT. */
export function normalizeActivationCode(code: unknown): string {
  if (typeof code !== 'string')
    throw new OffcodeClientError('INVALID_INPUT', 'activation code must be a string');
  const upper = code.toUpperCase();
  if (!SHAPE.test(upper)) {
    throw new OffcodeClientError(
      'INVALID_INPUT',
      'activation code must be four groups of five Base32 characters (XXXXX-XXXXX-XXXXX-XXXXX)',
    );
  }
  const { bytes, leftover } = base32Decode(upper.replaceAll('-', ''));
  const crc = bytes.length === 12 ? (bytes[10]! << 8) | bytes[11]! : -1;
  if (leftover !== 0 || crc !== crc16Arc(bytes.subarray(0, 10))) {
    throw new OffcodeClientError('INVALID_INPUT', 'activation code checksum does not match (typing error?)');
  }
  return upper;
}

/** Builds a valid code from 10 bytes (tests and simulators). */
export function encodeActivationCode(random10: Uint8Array): string {
  if (random10.length !== 10) throw new OffcodeClientError('INVALID_INPUT', 'activation code needs 10 bytes');
  const crc = crc16Arc(random10);
  const bytes = Uint8Array.from([...random10, crc >>> 8, crc & 0xff]);
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const b of bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32[(buffer >>> bits) & 31];
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out.match(/.{5}/g)!.join('-');
}
