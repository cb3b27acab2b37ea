/**
 * Key hygiene for the platform-neutral core. Base64 and UTF-8 come from @offcode/protocol, constant-time
 * comparison (`equalBytes`) from @noble/curves.
 */
/** Overwrites key material that is no longer needed (best effort: JS engines may keep copies). */
export function zeroize(...buffers: (Uint8Array | null | undefined)[]): void {
  for (const b of buffers) b?.fill(0);
}
