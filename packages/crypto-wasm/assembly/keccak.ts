// Keccak sponge at rate 136 (SHA3-256, cSHAKE256/KMAC256). A "state" is 200 bytes (25 lanes).
// KMAC keyed states (prefix block(s) for S, then the key block(s)) can be cached and reused: `kmacFinish`
// copies the state before absorbing the message.
import { keccakF } from './keccak-f';

const RATE: usize = 136;
const BLK: usize = heap.alloc(RATE * 2);
const WORK: usize = heap.alloc(200);
const ENC: usize = heap.alloc(16);

function absorbBlock(st: usize, p: usize): void {
  for (let i: usize = 0; i < RATE; i += 8) store<u64>(st + i, load<u64>(st + i) ^ load<u64>(p + i));
  keccakF(st);
}

/** Absorbs whole blocks of the bytes at p[0..len) and returns how many trailing bytes were left over. */
function absorbWhole(st: usize, p: usize, len: usize): usize {
  let left = len;
  while (left >= RATE) {
    absorbBlock(st, p);
    p += RATE;
    left -= RATE;
  }
  return left;
}

/** Writes left_encode(x) (NIST SP 800-185) at p; returns its length. */
function leftEncode(p: usize, x: u64): usize {
  let n: usize = 1;
  while (n < 8 && x >> (<u64>n << 3) != 0) n++;
  store<u8>(p, <u8>n);
  for (let i: usize = 0; i < n; i++) store<u8>(p + 1 + i, <u8>(x >> (<u64>(n - 1 - i) << 3)));
  return n + 1;
}

function rightEncode(p: usize, x: u64): usize {
  let n: usize = 1;
  while (n < 8 && x >> (<u64>n << 3) != 0) n++;
  for (let i: usize = 0; i < n; i++) store<u8>(p + i, <u8>(x >> (<u64>(n - 1 - i) << 3)));
  store<u8>(p + n, <u8>n);
  return n + 1;
}

/** Streams the pieces of a bytepad(...) body: a small buffer of pending bytes in BLK. */
let pend: usize = 0;

function streamBytes(st: usize, p: usize, len: usize): void {
  while (len > 0) {
    const room = RATE - pend;
    const take = len < room ? len : room;
    memory.copy(BLK + pend, p, take);
    pend += take;
    p += take;
    len -= take;
    if (pend == RATE) {
      absorbBlock(st, BLK);
      pend = 0;
    }
  }
}

/** Ends a bytepad(..., 136): zero-fills the current block and absorbs it (if anything is pending). */
function streamPadEnd(st: usize): void {
  if (pend > 0) {
    memory.fill(BLK + pend, 0, RATE - pend);
    absorbBlock(st, BLK);
  }
  pend = 0;
}

const KMAC_N: u32 = 0x43414d4b; // "KMAC" little-endian

/** State after bytepad(encode_string("KMAC") || encode_string(S), 136). */
export function kmacPrefix(st: usize, s: usize, sLen: usize): void {
  memory.fill(st, 0, 200);
  pend = 0;
  let n = leftEncode(ENC, 136);
  streamBytes(st, ENC, n);
  n = leftEncode(ENC, 32);
  store<u32>(ENC + n, KMAC_N);
  streamBytes(st, ENC, n + 4);
  n = leftEncode(ENC, <u64>sLen << 3);
  streamBytes(st, ENC, n);
  streamBytes(st, s, sLen);
  streamPadEnd(st);
}

/** Continues a prefix state with bytepad(encode_string(K), 136): the keyed state. */
export function kmacKey(st: usize, key: usize, keyLen: usize): void {
  pend = 0;
  let n = leftEncode(ENC, 136);
  streamBytes(st, ENC, n);
  n = leftEncode(ENC, <u64>keyLen << 3);
  streamBytes(st, ENC, n);
  streamBytes(st, key, keyLen);
  streamPadEnd(st);
}

/** Absorbs msg, then `suffix` bytes from ENC (suffixLen), pads with `domain` ... 0x80 and squeezes outLen
 * bytes to out. Works on a copy of `st0` (which is left unchanged). */
function finish(st0: usize, msg: usize, len: usize, suffixLen: usize, domain: u8, out: usize, outLen: usize): void {
  memory.copy(WORK, st0, 200);
  const rem = absorbWhole(WORK, msg, len);
  memory.fill(BLK, 0, RATE * 2);
  memory.copy(BLK, msg + len - rem, rem);
  memory.copy(BLK + rem, ENC, suffixLen);
  const total = rem + suffixLen;
  store<u8>(BLK + total, load<u8>(BLK + total) ^ domain);
  const blocks: usize = total / RATE + 1;
  const last = BLK + blocks * RATE - 1;
  store<u8>(last, load<u8>(last) ^ 0x80);
  absorbBlock(WORK, BLK);
  if (blocks == 2) absorbBlock(WORK, BLK + RATE);
  let o: usize = 0;
  while (true) {
    const take = outLen - o < RATE ? outLen - o : RATE;
    memory.copy(out + o, WORK, take);
    o += take;
    if (o >= outLen) break;
    keccakF(WORK);
  }
}

/** KMAC256 output of outLen bytes for message msg under a keyed state. */
export function kmacFinish(ks: usize, msg: usize, len: usize, out: usize, outLen: usize): void {
  const n = rightEncode(ENC, <u64>outLen << 3);
  finish(ks, msg, len, n, 0x04, out, outLen);
}

const ZERO: usize = heap.alloc(200);

export function sha3_256(msg: usize, len: usize, out: usize): void {
  finish(ZERO, msg, len, 0, 0x06, out, 32);
}

const KS: usize = heap.alloc(200);

// The prefix state depends on S only (public): the last one is kept, since callers reuse a few S values.
const MAX_CACHED_S: usize = 256;
const LAST_S: usize = heap.alloc(MAX_CACHED_S);
const LAST_PREFIX: usize = heap.alloc(200);
let lastSLen: isize = -1;

function prefixFor(s: usize, sLen: usize, out: usize): void {
  if (<isize>sLen == lastSLen && memory.compare(s, LAST_S, sLen) == 0) {
    memory.copy(out, LAST_PREFIX, 200);
    return;
  }
  kmacPrefix(out, s, sLen);
  if (sLen <= MAX_CACHED_S) {
    memory.copy(LAST_S, s, sLen);
    memory.copy(LAST_PREFIX, out, 200);
    lastSLen = <isize>sLen;
  }
}

export function kmac256(
  key: usize,
  keyLen: usize,
  msg: usize,
  len: usize,
  s: usize,
  sLen: usize,
  out: usize,
  outLen: usize,
): void {
  prefixFor(s, sLen, KS);
  kmacKey(KS, key, keyLen);
  kmacFinish(KS, msg, len, out, outLen);
}

export function keccakWipe(): void {
  memory.fill(KS, 0, 200);
  memory.fill(WORK, 0, 200);
  memory.fill(BLK, 0, RATE * 2);
}
