/** decimal(C, L) word (crypto.md 3.3): last four bytes big-endian, top bit cleared, mod 10^L. */
export function decimalValue(component: Uint8Array, modulus: number): number {
  const v = ((component[28]! & 0x7f) << 24) | (component[29]! << 16) | (component[30]! << 8) | component[31]!;
  return v % modulus;
}

export function formatDecimal(component: Uint8Array, length: number): string {
  return decimalValue(component, 10 ** length)
    .toString()
    .padStart(length, '0');
}
