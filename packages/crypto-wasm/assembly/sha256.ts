// SHA-256 (FIPS 180-4) over caller-provided memory. A "state" is 8 u32 words (32 bytes) in native order;
// `sha256Finish` continues from any midstate, which is what HMAC pad caching needs.

import { sha256Compress } from './sha256-compress';

export { sha256Compress };

const TAIL: usize = heap.alloc(128);

export function sha256Init(st: usize): void {
  store<u32>(st, 0x6a09e667, 0);
  store<u32>(st, 0xbb67ae85, 4);
  store<u32>(st, 0x3c6ef372, 8);
  store<u32>(st, 0xa54ff53a, 12);
  store<u32>(st, 0x510e527f, 16);
  store<u32>(st, 0x9b05688c, 20);
  store<u32>(st, 0x1f83d9ab, 24);
  store<u32>(st, 0x5be0cd19, 28);
}

/** Absorbs `len` bytes at `msg` into the midstate `st` (which already covers `done` bytes, a multiple of 64),
 * pads, and writes the 32-byte big-endian digest to `out`. `st` is clobbered. */
export function sha256Finish(st: usize, done: u64, msg: usize, len: usize, out: usize): void {
  let p = msg;
  let left = len;
  while (left >= 64) {
    sha256Compress(st, p);
    p += 64;
    left -= 64;
  }
  memory.copy(TAIL, p, left);
  store<u8>(TAIL + left, 0x80);
  const blocks: usize = left < 56 ? 1 : 2;
  memory.fill(TAIL + left + 1, 0, (blocks << 6) - 9 - left); // only the bytes up to the length field
  const bits: u64 = (done + <u64>len) << 3;
  store<u64>(TAIL + (blocks << 6) - 8, bswap<u64>(bits));
  sha256Compress(st, TAIL);
  if (blocks == 2) sha256Compress(st, TAIL + 64);
  for (let i: usize = 0; i < 8; i++) store<u32>(out + (i << 2), bswap<u32>(load<u32>(st + (i << 2))));
}

const ST: usize = heap.alloc(32);

export function sha256(msg: usize, len: usize, out: usize): void {
  sha256Init(ST);
  sha256Finish(ST, 0, msg, len, out);
}

export function sha256Wipe(): void {
  memory.fill(TAIL, 0, 128);
  memory.fill(ST, 0, 32);
}
