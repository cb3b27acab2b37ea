/**
 * The one Base64 implementation of Offcode (strict standard Base64 with padding, crypto.md 1.1). It lives
 * here, in the lowest package that needs it (the online code form, the embedded wasm bytes);
 * @offcode/protocol publishes it with its error type. Node's `Buffer.from(s, 'base64')` and `atob` silently
 * accept whitespace, URL-safe characters, missing padding and non-canonical tails, which would let two
 * different strings stand for the same bytes.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

function sym(text: string, i: number): number {
  const c = text.charCodeAt(i);
  return c < 128 ? DECODE[c]! : -1;
}

/** Standard Base64 with padding (Java `Base64.getEncoder()`). */
export function encodeBase64(bytes: Uint8Array): string {
  let s = '';
  const n = bytes.length;
  let i = 0;
  for (; i + 2 < n; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    s += ALPHABET[v >> 18]! + ALPHABET[(v >> 12) & 63]! + ALPHABET[(v >> 6) & 63]! + ALPHABET[v & 63]!;
  }
  if (n - i === 1) {
    const v = bytes[i]! << 16;
    s += `${ALPHABET[v >> 18]!}${ALPHABET[(v >> 12) & 63]!}==`;
  } else if (n - i === 2) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    s += `${ALPHABET[v >> 18]!}${ALPHABET[(v >> 12) & 63]!}${ALPHABET[(v >> 6) & 63]!}=`;
  }
  return s;
}

/** Decodes canonical padded standard Base64 or returns null (no exception, no error allocation). */
export function tryDecodeBase64Strict(text: unknown): Uint8Array<ArrayBuffer> | null {
  if (typeof text !== 'string') return null;
  const n = text.length;
  if (n % 4 !== 0) return null;
  if (n === 0) return new Uint8Array(0);
  let pad = 0;
  if (text.charCodeAt(n - 1) === 61 /* = */) pad = text.charCodeAt(n - 2) === 61 ? 2 : 1;
  const out = new Uint8Array((n / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < n; i += 4) {
    const last = i + 4 === n;
    const a = sym(text, i);
    const b = sym(text, i + 1);
    if (a < 0 || b < 0) return null;
    if (last && pad === 2) {
      if ((b & 0x0f) !== 0) return null; // non-canonical: unused low bits set
      out[o++] = (a << 2) | (b >> 4);
      break;
    }
    const c = sym(text, i + 2);
    if (c < 0) return null;
    if (last && pad === 1) {
      if ((c & 0x03) !== 0) return null;
      out[o++] = (a << 2) | (b >> 4);
      out[o++] = ((b & 0x0f) << 4) | (c >> 2);
      break;
    }
    const d = sym(text, i + 3);
    if (d < 0) return null;
    out[o++] = (a << 2) | (b >> 4);
    out[o++] = ((b & 0x0f) << 4) | (c >> 2);
    out[o++] = ((c & 0x03) << 6) | d;
  }
  return out;
}
