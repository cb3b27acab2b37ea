/**
 * PowerAuth V3 activation codes (server.md §2.4): 10 CSPRNG bytes ‖ CRC-16/ARC of them (big-endian),
 * RFC 4648 Base32 without padding (20 characters), four groups of five joined by `-`.
 */
import { randomBytes } from 'node:crypto';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const CODE_RE = /^[A-Z2-7]{5}-[A-Z2-7]{5}-[A-Z2-7]{5}-[A-Z2-7]{5}$/;

/** CRC-16/ARC: polynomial 0x8005 reflected (0xA001), init 0, no final xor. */
export function crc16Arc(bytes: Uint8Array): number {
  let crc = 0;
  for (const b of bytes) {
    crc ^= b;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc & 0xffff;
}

function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const b of bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
}

function unbase32(text: string): Uint8Array | null {
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const ch of text) {
    const v = BASE32.indexOf(ch);
    if (v < 0) return null;
    buffer = ((buffer << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((buffer >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  // Non-canonical tail: the unused low bits of the last character must be zero.
  if (bits > 0 && (buffer & ((1 << bits) - 1)) !== 0) return null;
  return new Uint8Array(out);
}

/** A fresh activation code from the CSPRNG. */
export function generateActivationCode(
  random: (n: number) => Uint8Array = (n) => new Uint8Array(randomBytes(n)),
): string {
  const bytes = new Uint8Array(12);
  bytes.set(random(10));
  const crc = crc16Arc(bytes.subarray(0, 10));
  bytes[10] = crc >>> 8;
  bytes[11] = crc & 0xff;
  const text = base32(bytes);
  return `${text.slice(0, 5)}-${text.slice(5, 10)}-${text.slice(10, 15)}-${text.slice(15, 20)}`;
}

/**
 * Normalises (upper-cases) and checks an activation code; returns null when the format or the CRC is wrong.
 * Lower case is accepted (server.md §2.4).
 */
export function parseActivationCode(input: string): string | null {
  if (typeof input !== 'string' || input.length !== 23) return null;
  const code = input.toUpperCase();
  if (!CODE_RE.test(code)) return null;
  const bytes = unbase32(code.replaceAll('-', ''));
  if (bytes?.length !== 12) return null;
  const crc = crc16Arc(bytes.subarray(0, 10));
  return bytes[10] === crc >>> 8 && bytes[11] === (crc & 0xff) ? code : null;
}
