import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { sha3_256 } from '@noble/hashes/sha3.js';
import { kmac256 } from '@noble/hashes/sha3-addons.js';
import { decimalValue } from './decimal.js';
import type { RawBackend } from './raw.js';
import type { ProtocolVersion } from './versions.js';

const PA4CODE = new Uint8Array([0x50, 0x41, 0x34, 0x43, 0x4f, 0x44, 0x45]);
const EMPTY = new Uint8Array(0);

type Mac = { clone(): Mac; update(data: Uint8Array): Mac; digest(): Uint8Array };

function xorFold(h: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = h[i]! ^ h[i + 16]!;
  return out;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

const hmacKeyed = (key: Uint8Array): Mac => hmac.create(sha256, key) as unknown as Mac;
const kmacKeyed = (key: Uint8Array): Mac =>
  kmac256.create(key, { personalization: PA4CODE, dkLen: 32 }) as unknown as Mac;
const macWith = (keyed: Mac, data: Uint8Array): Uint8Array => keyed.clone().update(data).digest();

function nextCounter(protocol: ProtocolVersion, counter: Uint8Array): Uint8Array {
  return protocol === 4 ? sha3_256(counter) : xorFold(sha256(counter));
}

/** Per window position: the keyed MAC objects that do not depend on DATA (crypto.md 8.2). */
interface Position {
  counter: Uint8Array;
  possession: Mac;
  second: Mac[];
}

function preparePosition(protocol: ProtocolVersion, factorMacs: Mac[], counter: Uint8Array): Position {
  const [possession, ...seconds] = factorMacs;
  if (protocol === 4) {
    const d0 = macWith(possession!, counter);
    const cd = concat(counter, d0);
    return {
      counter,
      possession: kmacKeyed(d0),
      second: seconds.map((f) => kmacKeyed(macWith(f, cd))),
    };
  }
  return {
    counter,
    possession: hmacKeyed(macWith(possession!, counter)),
    second: seconds.map((f) => {
      const t = macWith(f, counter);
      return hmacKeyed(macWith(hmacKeyed(t), t));
    }),
  };
}

export function createNobleBackend(): RawBackend {
  return {
    name: 'noble',
    sha256: (data) => sha256(data),
    sha3_256: (data) => sha3_256(data),
    hmacSha256: (key, data) => hmac(sha256, key, data),
    kmac256: (key, data, customization, dkLen) =>
      kmac256(key, data, { personalization: customization, dkLen }),
    components(protocol, keys, counter, data) {
      const out: Uint8Array[] = [];
      if (protocol === 4) {
        let d = EMPTY;
        for (const key of keys) {
          d = kmac256(key, concat(counter, d), { personalization: PA4CODE, dkLen: 32 });
          out.push(kmac256(d, data, { personalization: PA4CODE, dkLen: 32 }));
        }
        return out;
      }
      keys.forEach((key, i) => {
        let kd = hmac(sha256, key, counter);
        for (let j = 0; j < i; j++) {
          const t = hmac(sha256, keys[j + 1]!, counter);
          kd = hmac(sha256, t, kd); // T is the HMAC key, KD the message
        }
        out.push(hmac(sha256, kd, data));
      });
      return out;
    },
    next: nextCounter,
    search(protocol, keys, counter, window, data, modulus, s0, s1, nextOut) {
      const keyed = protocol === 4 ? kmacKeyed : hmacKeyed;
      const factorMacs = keys.map((k) => keyed(k));
      const positions: Position[] = [];
      let ctr = counter;
      for (let i = 0; i < data.length; i++) {
        const d = data[i]!;
        for (let k = 0; k < window; k++) {
          if (k === positions.length) {
            positions.push(preparePosition(protocol, factorMacs, ctr));
            ctr = nextCounter(protocol, ctr);
          }
          const pos = positions[k]!;
          const a0 = decimalValue(macWith(pos.possession, d), modulus) ^ s0;
          for (let t = 0; t < pos.second.length; t++) {
            const diff = a0 | (decimalValue(macWith(pos.second[t]!, d), modulus) ^ s1);
            if (diff === 0) {
              nextOut.set(nextCounter(protocol, pos.counter));
              return (i << 16) | (k << 8) | t;
            }
          }
        }
      }
      return -1;
    },
  };
}
