// HMAC-SHA256 for four independent (key state, message) lanes at once, on sha256CompressX4. Used by the V3
// window search to process four counter positions together. Lanes are addressed as base + j * stride
// (stride 0 = the same key state or message in every lane). All messages of one call have the same length.
import { sha256CompressX4 } from './sha256-compress-x4';

const XST: usize = heap.alloc(128); // 8 transposed state words
const XW: usize = heap.alloc(256); // 16 transposed message words
const TAILX: usize = heap.alloc(4 * 128); // per-lane padded tail blocks
const INNERX: usize = heap.alloc(4 * 32); // per-lane inner digests
const PADX: usize = heap.alloc(4 * 64); // per-lane key pads

@inline
function lanes(a: u32, b: u32, c: u32, d: u32): v128 {
  return i32x4.replace_lane(i32x4.replace_lane(i32x4.replace_lane(i32x4.splat(a), 1, b), 2, c), 3, d);
}

/** Transposes four native-order 8-word states (lane j at base + j * stride) into XST. */
function loadStates(base: usize, stride: usize): void {
  for (let i: usize = 0; i < 32; i += 4) {
    v128.store(
      XST + (i << 2),
      lanes(load<u32>(base + i), load<u32>(base + stride + i), load<u32>(base + 2 * stride + i), load<u32>(base + 3 * stride + i)),
    );
  }
}

function initStates(): void {
  v128.store(XST, i32x4.splat(0x6a09e667), 0);
  v128.store(XST, i32x4.splat(0xbb67ae85), 16);
  v128.store(XST, i32x4.splat(0x3c6ef372), 32);
  v128.store(XST, i32x4.splat(0xa54ff53a), 48);
  v128.store(XST, i32x4.splat(0x510e527f), 64);
  v128.store(XST, i32x4.splat(0x9b05688c), 80);
  v128.store(XST, i32x4.splat(0x1f83d9ab), 96);
  v128.store(XST, i32x4.splat(0x5be0cd19), 112);
}

/** Compresses one 64-byte block per lane (lane j at base + j * stride, big-endian words). */
function compressBlocks(base: usize, stride: usize): void {
  for (let i: usize = 0; i < 64; i += 4) {
    v128.store(
      XW + (i << 2),
      lanes(
        bswap<u32>(load<u32>(base + i)),
        bswap<u32>(load<u32>(base + stride + i)),
        bswap<u32>(load<u32>(base + 2 * stride + i)),
        bswap<u32>(load<u32>(base + 3 * stride + i)),
      ),
    );
  }
  sha256CompressX4(XST, XW);
}

/** Writes lane j's state to out + j * stride: as a big-endian digest, or in native order (a midstate). */
function storeStates(out: usize, stride: usize, digest: bool): void {
  for (let i: usize = 0; i < 8; i++) {
    const v = v128.load(XST + (i << 4));
    const o = out + (i << 2);
    if (digest) {
      store<u32>(o, bswap<u32>(i32x4.extract_lane(v, 0)));
      store<u32>(o + stride, bswap<u32>(i32x4.extract_lane(v, 1)));
      store<u32>(o + 2 * stride, bswap<u32>(i32x4.extract_lane(v, 2)));
      store<u32>(o + 3 * stride, bswap<u32>(i32x4.extract_lane(v, 3)));
    } else {
      store<u32>(o, i32x4.extract_lane(v, 0));
      store<u32>(o + stride, i32x4.extract_lane(v, 1));
      store<u32>(o + 2 * stride, i32x4.extract_lane(v, 2));
      store<u32>(o + 3 * stride, i32x4.extract_lane(v, 3));
    }
  }
}

/** Pads the last `rem` bytes of each lane's message (done = bytes hashed before, multiple of 64) and
 * compresses the tail block(s). */
function finishTail(msg: usize, msgStride: usize, rem: usize, total: u64): void {
  const blocks: usize = rem < 56 ? 1 : 2;
  for (let j: usize = 0; j < 4; j++) {
    const t = TAILX + (j << 7);
    memory.copy(t, msg + j * msgStride, rem);
    store<u8>(t + rem, 0x80);
    memory.fill(t + rem + 1, 0, (blocks << 6) - 9 - rem);
    store<u64>(t + (blocks << 6) - 8, bswap<u64>(total << 3));
  }
  compressBlocks(TAILX, 128);
  if (blocks == 2) compressBlocks(TAILX + 64, 128);
}

/** out_j = HMAC(ks_j, msg_j) for j = 0..3 (ks = 64-byte keyed states: inner then outer midstate). */
export function hmacWithX4(
  ks: usize,
  ksStride: usize,
  msg: usize,
  msgStride: usize,
  len: usize,
  out: usize,
  outStride: usize,
): void {
  loadStates(ks, ksStride);
  let off: usize = 0;
  while (len - off >= 64) {
    compressBlocks(msg + off, msgStride);
    off += 64;
  }
  finishTail(msg + off, msgStride, len - off, 64 + <u64>len);
  storeStates(INNERX, 32, true);
  loadStates(ks + 32, ksStride);
  finishTail(INNERX, 32, 32, 96);
  storeStates(out, outStride, true);
}

/** ks_j = keyed state of the 32-byte key_j (inner and outer pad midstates), for j = 0..3. */
export function hmacKeyX4(key: usize, keyStride: usize, ks: usize, ksStride: usize): void {
  for (let j: usize = 0; j < 4; j++) {
    const p = PADX + (j << 6);
    const k = key + j * keyStride;
    for (let i: usize = 0; i < 32; i += 8) store<u64>(p + i, load<u64>(k + i) ^ 0x3636363636363636);
    for (let i: usize = 32; i < 64; i += 8) store<u64>(p + i, 0x3636363636363636);
  }
  initStates();
  compressBlocks(PADX, 64);
  storeStates(ks, ksStride, false);
  for (let j: usize = 0; j < 4; j++) {
    const p = PADX + (j << 6);
    for (let i: usize = 0; i < 64; i += 8) store<u64>(p + i, load<u64>(p + i) ^ 0x6a6a6a6a6a6a6a6a); // 0x36 ^ 0x5c
  }
  initStates();
  compressBlocks(PADX, 64);
  storeStates(ks + 32, ksStride, false);
}

export function hmacX4Wipe(): void {
  memory.fill(XST, 0, 128);
  memory.fill(XW, 0, 256);
  memory.fill(TAILX, 0, 4 * 128);
  memory.fill(INNERX, 0, 4 * 32);
  memory.fill(PADX, 0, 4 * 64);
}
