// The authentication-code engine (crypto.md sections 3, 5 and 8): code components for V3 (HMAC chain) and
// V4 (KMAC C32 chain), hash-based counters, and the whole-window offline search in one call.
import { hmacKey, hmacSha256, hmacWith } from './hmac';
import { hmacKeyX4, hmacWithX4, hmacX4Wipe } from './hmac-x4';
import { kmacFinish, kmacKey, kmacPrefix, sha3_256 } from './keccak';
import { sha256 } from './sha256';

const PA4CODE: usize = memory.data<u8>([0x50, 0x41, 0x34, 0x43, 0x4f, 0x44, 0x45]);
const CODE_PREFIX: usize = heap.alloc(200);
kmacPrefix(CODE_PREFIX, PA4CODE, 7);

const MAX_WINDOW: usize = 64;
const MAX_TYPES: usize = 2;
const STATE: usize = 200; // room for a V4 keyed state (V3 uses the first 64 bytes)
const POS_SIZE: usize = 32 + STATE * (1 + MAX_TYPES); // counter value + possession state + second-factor states

const FACTOR_STATES: usize = heap.alloc(STATE * (1 + MAX_TYPES));
// V3 second-factor key states are made on first use (an in-sync knowledge code never needs biometry's).
let factorKeys: usize = 0;
let factorReady: i32 = 0;
// Window positions written by the last search (engineWipe clears only those).
let positionsUsed: i32 = <i32>MAX_WINDOW + 8;

function factorStateV3(t: i32): usize {
  const ks = FACTOR_STATES + <usize>(t + 1) * STATE;
  if ((factorReady & (1 << t)) == 0) {
    hmacKey(factorKeys + (<usize>(t + 1) << 4), 16, ks);
    factorReady |= 1 << t;
  }
  return ks;
}
// V3 prepares positions four at a time (SIMD lanes), so up to 3 positions past the window plus the next counter.
const POS_COUNT: usize = MAX_WINDOW + 8;
const POS: usize = heap.alloc(POS_SIZE * POS_COUNT);
const D0X: usize = heap.alloc(4 * 32);
const TX: usize = heap.alloc(4 * 32);
const D1X: usize = heap.alloc(4 * 32);
const KSX: usize = heap.alloc(4 * 64);
const C0X: usize = heap.alloc(4 * 32);
const C1X: usize = heap.alloc(MAX_TYPES * 4 * 32);
const TMP_KS: usize = heap.alloc(STATE);
const D0: usize = heap.alloc(32);
const D1: usize = heap.alloc(32);
const T: usize = heap.alloc(32);
const CD: usize = heap.alloc(64);
const C0: usize = heap.alloc(32);
const C1: usize = heap.alloc(32);
const H: usize = heap.alloc(32);

// ---- counters ---------------------------------------------------------------------------------------------

/** V3: next = xorFold(SHA-256(C)), 16 bytes. `out` may alias `ctr`. */
export function nextV3(ctr: usize, out: usize): void {
  sha256(ctr, 16, H);
  store<u64>(out, load<u64>(H) ^ load<u64>(H, 16));
  store<u64>(out, load<u64>(H, 8) ^ load<u64>(H, 24), 8);
}

/** V4: next = SHA3-256(C), 32 bytes. `out` may alias `ctr`. */
export function nextV4(ctr: usize, out: usize): void {
  sha3_256(ctr, 32, H);
  memory.copy(out, H, 32);
}

// ---- compute ----------------------------------------------------------------------------------------------

/** V3 components (crypto.md 3.2) for n 16-byte keys at `keys`; writes n x 32 bytes to `out`. */
export function computeV3(keys: usize, n: i32, ctr: usize, data: usize, dataLen: usize, out: usize): void {
  for (let i = 0; i < n; i++) {
    hmacSha256(keys + (<usize>i << 4), 16, ctr, 16, D0);
    for (let j = 0; j < i; j++) {
      hmacSha256(keys + (<usize>(j + 1) << 4), 16, ctr, 16, T);
      hmacSha256(T, 32, D0, 32, D0); // T is the HMAC key, KD the message
    }
    hmacSha256(D0, 32, data, dataLen, out + (<usize>i << 5));
  }
}

/** V4 C32 components (crypto.md 5) for n 32-byte keys; writes n x 32 bytes to `out`. */
export function computeV4(keys: usize, n: i32, ctr: usize, data: usize, dataLen: usize, out: usize): void {
  memory.copy(CD, ctr, 32);
  let cdLen: usize = 32;
  for (let i = 0; i < n; i++) {
    memory.copy(TMP_KS, CODE_PREFIX, STATE);
    kmacKey(TMP_KS, keys + (<usize>i << 5), 32);
    kmacFinish(TMP_KS, CD, cdLen, D0, 32);
    memory.copy(CD + 32, D0, 32);
    cdLen = 64;
    memory.copy(TMP_KS, CODE_PREFIX, STATE);
    kmacKey(TMP_KS, D0, 32);
    kmacFinish(TMP_KS, data, dataLen, out + (<usize>i << 5), 32);
  }
}

// ---- search -----------------------------------------------------------------------------------------------

@inline
function decimalWord(c: usize, mod: u32): u32 {
  return (bswap<u32>(load<u32>(c, 28)) & 0x7fffffff) % mod;
}

/**
 * Position 0 (V3), scalar and lazy: an in-sync token matches here, usually with the first type, so only the
 * possession state is prepared up front and each second-factor state when it is first needed.
 */
function prepareV3First(): void {
  hmacWith(FACTOR_STATES, POS, 16, D0);
  hmacKey(D0, 32, POS + 32);
  nextV3(POS, POS + POS_SIZE);
}

function prepareV3FirstType(t: i32): void {
  hmacWith(factorStateV3(t), POS, 16, T);
  hmacKey(T, 32, TMP_KS);
  hmacWith(TMP_KS, T, 32, D1);
  hmacKey(D1, 32, POS + 32 + <usize>(t + 1) * STATE);
}

/**
 * Prepares the DATA-independent states of window positions k0..k0+3 (V3) in four SIMD lanes: the counter values
 * (k0's must already be stored; k0+4's is written for the next block), HMAC(P, CTR) and its keyed state, and per
 * type HMAC(HMAC(T, T)) with T = HMAC(F, CTR) as a keyed state (crypto.md 3.2, 8.2).
 */
function prepareV3x4(k0: usize, nTypes: i32): void {
  const base = POS + k0 * POS_SIZE;
  for (let j: usize = 0; j < 4; j++) nextV3(base + j * POS_SIZE, base + (j + 1) * POS_SIZE);
  hmacWithX4(FACTOR_STATES, 0, base, POS_SIZE, 16, D0X, 32);
  hmacKeyX4(D0X, 32, base + 32, POS_SIZE);
  for (let t = 0; t < nTypes; t++) {
    hmacWithX4(factorStateV3(t), 0, base, POS_SIZE, 16, TX, 32);
    hmacKeyX4(TX, 32, KSX, 64);
    hmacWithX4(KSX, 64, TX, 32, 32, D1X, 32); // T is the HMAC key and the message
    hmacKeyX4(D1X, 32, base + 32 + <usize>(t + 1) * STATE, POS_SIZE);
  }
}

function prepareV4(k: usize, nTypes: i32): void {
  const pos = POS + k * POS_SIZE;
  kmacFinish(FACTOR_STATES, pos, 32, D0, 32);
  memory.copy(pos + 32, CODE_PREFIX, STATE);
  kmacKey(pos + 32, D0, 32);
  memory.copy(CD, pos, 32);
  memory.copy(CD + 32, D0, 32);
  for (let t = 0; t < nTypes; t++) {
    kmacFinish(FACTOR_STATES + <usize>(t + 1) * STATE, CD, 64, D1, 32);
    const st = pos + 32 + <usize>(t + 1) * STATE;
    memory.copy(st, CODE_PREFIX, STATE);
    kmacKey(st, D1, 32);
  }
  nextV4(pos, pos + POS_SIZE);
}

/**
 * Searches a lookahead window for a two-component offline code (crypto.md 8.1), in PowerAuth's order:
 * for each DATA candidate i, for each position k, for each type t. Every tried candidate computes and
 * compares both components (no early exit on component 0). DATA-independent work per position is done once.
 *
 * keys: possession key, then one second-factor key per type in the order to try (16 B for V3, 32 B for V4).
 * data/offsets: candidate i is data[offsets[i] .. offsets[i+1]) with u32 offsets.
 * Returns -1 when nothing matches, else (i << 16) | (k << 8) | t, and writes next^(k+1)(ctr) to `nextOut`.
 */
export function search(
  protocol: i32,
  keys: usize,
  nTypes: i32,
  ctr: usize,
  window: i32,
  data: usize,
  offsets: usize,
  nData: i32,
  mod: u32,
  s0: u32,
  s1: u32,
  nextOut: usize,
): i32 {
  const v4 = protocol == 4;
  const keyLen: usize = v4 ? 32 : 16;
  const ctrLen: usize = v4 ? 32 : 16;
  if (v4) {
    for (let t = 0; t <= nTypes; t++) {
      const ks = FACTOR_STATES + <usize>t * STATE;
      memory.copy(ks, CODE_PREFIX, STATE);
      kmacKey(ks, keys + <usize>t * keyLen, keyLen);
    }
  } else {
    hmacKey(keys, keyLen, FACTOR_STATES);
    factorKeys = keys;
    factorReady = 0;
  }
  memory.copy(POS, ctr, ctrLen);
  let prepared: i32 = 0;
  let typesReady: i32 = 0; // V3 position 0: which second-factor states exist
  positionsUsed = window + 8;
  for (let i = 0; i < nData; i++) {
    const d = data + <usize>load<u32>(offsets + (<usize>i << 2));
    const dLen = <usize>load<u32>(offsets + (<usize>(i + 1) << 2)) - (d - data);
    if (!v4) {
      // V3: position 0 alone (scalar), then four positions per step in SIMD lanes; the lanes are checked in
      // position order, so the first match is still the first in PowerAuth's order.
      if (prepared == 0) {
        prepareV3First();
        prepared = 1;
      }
      hmacWith(POS + 32, d, dLen, C0);
      const a0 = decimalWord(C0, mod) ^ s0;
      for (let t = 0; t < nTypes; t++) {
        if ((typesReady & (1 << t)) == 0) {
          prepareV3FirstType(t);
          typesReady |= 1 << t;
        }
        hmacWith(POS + 32 + <usize>(t + 1) * STATE, d, dLen, C1);
        const diff = a0 | (decimalWord(C1, mod) ^ s1);
        if (diff == 0) {
          memory.copy(nextOut, POS + POS_SIZE, ctrLen);
          return (i << 16) | t;
        }
      }
      for (let k0 = 1; k0 < window; k0 += 4) {
        if (k0 == prepared) {
          prepareV3x4(<usize>k0, nTypes);
          prepared += 4;
        }
        const base = POS + <usize>k0 * POS_SIZE;
        hmacWithX4(base + 32, POS_SIZE, d, 0, dLen, C0X, 32);
        for (let t = 0; t < nTypes; t++) {
          hmacWithX4(base + 32 + <usize>(t + 1) * STATE, POS_SIZE, d, 0, dLen, C1X + (<usize>t << 7), 32);
        }
        for (let j = 0; j < 4 && k0 + j < window; j++) {
          const b0 = decimalWord(C0X + (<usize>j << 5), mod) ^ s0;
          for (let t = 0; t < nTypes; t++) {
            const diff = b0 | (decimalWord(C1X + (<usize>t << 7) + (<usize>j << 5), mod) ^ s1);
            if (diff == 0) {
              memory.copy(nextOut, POS + <usize>(k0 + j + 1) * POS_SIZE, ctrLen);
              return (i << 16) | ((k0 + j) << 8) | t;
            }
          }
        }
      }
      continue;
    }
    for (let k = 0; k < window; k++) {
      if (k == prepared) {
        prepareV4(<usize>k, nTypes);
        prepared++;
      }
      const pos = POS + <usize>k * POS_SIZE;
      kmacFinish(pos + 32, d, dLen, C0, 32);
      const a0 = decimalWord(C0, mod) ^ s0;
      for (let t = 0; t < nTypes; t++) {
        kmacFinish(pos + 32 + <usize>(t + 1) * STATE, d, dLen, C1, 32);
        const diff = a0 | (decimalWord(C1, mod) ^ s1);
        if (diff == 0) {
          memory.copy(nextOut, pos + POS_SIZE, ctrLen);
          return (i << 16) | (k << 8) | t;
        }
      }
    }
  }
  return -1;
}

/** Zeroes every key-dependent buffer of the engine. */
export function engineWipe(): void {
  memory.fill(FACTOR_STATES, 0, STATE * (1 + MAX_TYPES));
  const used: usize = <usize>positionsUsed < POS_COUNT ? <usize>positionsUsed : POS_COUNT;
  memory.fill(POS, 0, POS_SIZE * used);
  positionsUsed = 0;
  memory.fill(D0X, 0, 4 * 32);
  memory.fill(TX, 0, 4 * 32);
  memory.fill(D1X, 0, 4 * 32);
  memory.fill(KSX, 0, 4 * 64);
  memory.fill(C0X, 0, 4 * 32);
  memory.fill(C1X, 0, MAX_TYPES * 4 * 32);
  hmacX4Wipe();
  memory.fill(TMP_KS, 0, STATE);
  memory.fill(D0, 0, 32);
  memory.fill(D1, 0, 32);
  memory.fill(T, 0, 32);
  memory.fill(CD, 0, 64);
  memory.fill(C0, 0, 32);
  memory.fill(C1, 0, 32);
  memory.fill(H, 0, 32);
}
