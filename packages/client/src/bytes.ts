/** Key hygiene helpers for the platform-neutral core (Base64 and UTF-8 come from @offcode/protocol). */
/** Overwrites key material that is no longer needed (best effort: JS engines may keep copies). */
export function zeroize(...buffers: (Uint8Array | null | undefined)[]): void {
  for (const b of buffers) b?.fill(0);
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
