// Used by tryUtf8Decode where the platform has no TextDecoder (React Native's Hermes).

/**
 * Strict UTF-8 decoding without `TextDecoder` (missing on Hermes): overlong forms, surrogates, code points
 * above U+10FFFF and truncated sequences are refused (`null`); a BOM is kept, so re-encoding gives back
 * exactly the input bytes.
 */
export function decodeUtf8WithoutTextDecoder(bytes: Uint8Array): string | null {
  let out = '';
  let chunk: number[] = [];
  const flush = () => {
    out += String.fromCharCode(...chunk);
    chunk = [];
  };
  for (let i = 0; i < bytes.length; ) {
    const b0 = bytes[i]!;
    let cp: number;
    let need: number;
    let min: number;
    if (b0 < 0x80) {
      cp = b0;
      need = 0;
      min = 0;
    } else if (b0 >= 0xc2 && b0 <= 0xdf) {
      cp = b0 & 0x1f;
      need = 1;
      min = 0x80;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
      cp = b0 & 0x0f;
      need = 2;
      min = 0x800;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      cp = b0 & 0x07;
      need = 3;
      min = 0x10000;
    } else {
      return null;
    }
    for (let k = 1; k <= need; k++) {
      const b = bytes[i + k];
      if (b === undefined || (b & 0xc0) !== 0x80) return null;
      cp = (cp << 6) | (b & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return null;
    if (cp >= 0x10000) {
      const v = cp - 0x10000;
      chunk.push(0xd800 | (v >> 10), 0xdc00 | (v & 0x3ff));
    } else {
      chunk.push(cp);
    }
    if (chunk.length > 8000) flush();
    i += need + 1;
  }
  flush();
  return out;
}
