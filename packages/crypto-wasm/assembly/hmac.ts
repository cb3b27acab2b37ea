// HMAC-SHA256 (RFC 2104) with cached pad midstates. A "keyed state" is 64 bytes:
// inner midstate (after key ^ ipad) then outer midstate (after key ^ opad).
import { sha256, sha256Compress, sha256Finish, sha256Init } from './sha256';

const PAD: usize = heap.alloc(64);
const KH: usize = heap.alloc(32);
const WORK: usize = heap.alloc(32);
const INNER: usize = heap.alloc(32);

/** Precomputes the keyed state of `key` (any length) into `ks` (64 bytes). Costs 2 compressions. */
export function hmacKey(key: usize, keyLen: usize, ks: usize): void {
  memory.fill(PAD, 0, 64);
  if (keyLen > 64) {
    sha256(key, keyLen, KH);
    memory.copy(PAD, KH, 32);
  } else {
    memory.copy(PAD, key, keyLen);
  }
  for (let i: usize = 0; i < 64; i += 8) store<u64>(PAD + i, load<u64>(PAD + i) ^ 0x3636363636363636);
  sha256Init(ks);
  sha256Compress(ks, PAD);
  for (let i: usize = 0; i < 64; i += 8) store<u64>(PAD + i, load<u64>(PAD + i) ^ 0x6a6a6a6a6a6a6a6a); // 0x36 ^ 0x5c
  sha256Init(ks + 32);
  sha256Compress(ks + 32, PAD);
  memory.fill(PAD, 0, 64);
}

/** HMAC of `msg` under the keyed state `ks`; writes 32 bytes to `out` (may alias `msg`). */
export function hmacWith(ks: usize, msg: usize, len: usize, out: usize): void {
  memory.copy(WORK, ks, 32);
  sha256Finish(WORK, 64, msg, len, INNER);
  memory.copy(WORK, ks + 32, 32);
  sha256Finish(WORK, 64, INNER, 32, out);
}

const KS: usize = heap.alloc(64);

export function hmacSha256(key: usize, keyLen: usize, msg: usize, len: usize, out: usize): void {
  hmacKey(key, keyLen, KS);
  hmacWith(KS, msg, len, out);
}

export function hmacWipe(): void {
  memory.fill(KS, 0, 64);
  memory.fill(WORK, 0, 32);
  memory.fill(INNER, 0, 32);
  memory.fill(KH, 0, 32);
}
