/**
 * Strict ASN.1 DER for ECDSA signatures (crypto.md 7.3): `SEQUENCE { INTEGER r, INTEGER s }`, minimal
 * positive INTEGERs, definite short-form lengths, no trailing bytes, 1 <= r, s < n. BER variants are refused
 * so that one signature has one encoding on every path.
 */
import { bytesToNumberBE, numberToBytesBE } from '@noble/curves/utils.js';

export interface EcdsaSignatureValues {
  r: bigint;
  s: bigint;
}

function readInteger(der: Uint8Array, pos: number, maxLen: number): { value: bigint; next: number } | null {
  if (der[pos] !== 0x02) return null;
  const len = der[pos + 1];
  if (len === undefined || len === 0 || len > maxLen || pos + 2 + len > der.length) return null;
  const body = der.subarray(pos + 2, pos + 2 + len);
  if ((body[0]! & 0x80) !== 0) return null; // negative
  if (len > 1 && body[0] === 0 && (body[1]! & 0x80) === 0) return null; // not minimal
  return { value: bytesToNumberBE(body), next: pos + 2 + len };
}

/** Parses a DER signature for a curve of `size`-byte scalars and order `order`, or returns null. */
export function parseDerSignature(der: Uint8Array, size: number, order: bigint): EcdsaSignatureValues | null {
  // Content is at most 2 * (2 + size + 1) = 102 bytes for P-384, so the length is always short form.
  if (der.length < 8 || der[0] !== 0x30 || der[1]! >= 0x80 || der[1] !== der.length - 2) return null;
  const r = readInteger(der, 2, size + 1);
  if (!r) return null;
  const s = readInteger(der, r.next, size + 1);
  if (!s || s.next !== der.length) return null;
  if (r.value < 1n || r.value >= order || s.value < 1n || s.value >= order) return null;
  return { r: r.value, s: s.value };
}

function encodeInteger(v: bigint, size: number): Uint8Array {
  let b: Uint8Array = numberToBytesBE(v, size);
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  b = b.subarray(i);
  if ((b[0]! & 0x80) !== 0) {
    const padded = new Uint8Array(b.length + 1);
    padded.set(b, 1);
    b = padded;
  }
  const out = new Uint8Array(b.length + 2);
  out[0] = 0x02;
  out[1] = b.length;
  out.set(b, 2);
  return out;
}

/** DER encoding of (r, s). */
export function encodeDerSignature(values: EcdsaSignatureValues, size: number): Uint8Array {
  const r = encodeInteger(values.r, size);
  const s = encodeInteger(values.s, size);
  const out = new Uint8Array(2 + r.length + s.length);
  out[0] = 0x30;
  out[1] = r.length + s.length;
  out.set(r, 2);
  out.set(s, 2 + r.length);
  return out;
}

/** IEEE P1363 `r || s` (fixed size per scalar), the form WebCrypto and noble's `compact` use. */
export function derToCompact(values: EcdsaSignatureValues, size: number): Uint8Array {
  const out = new Uint8Array(2 * size);
  out.set(numberToBytesBE(values.r, size), 0);
  out.set(numberToBytesBE(values.s, size), size);
  return out;
}
