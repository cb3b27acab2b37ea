/**
 * The PowerAuth mobile SDK configuration string (activation.md 11): the one Base64 value a PowerAuth SDK
 * 1.8+ app is configured with instead of APP_KEY, APP_SECRET and the master server public key. Binary layout
 * (PowerAuth's DataWriter): version byte 0x01, APP_KEY (16 bytes), APP_SECRET (16 bytes), a key count, then
 * per key its one-byte identifier and its bytes as Data (count + bytes). Key 0x01 is the P-256 master public
 * key (protocol 3.x).
 */
import { decodeBase64Strict, encodeBase64 } from '../base64.js';
import { ProtocolError } from '../errors.js';

const SDK_CONFIG_VERSION = 0x01;
/** Key identifiers of the configuration (PowerAuth "SDK Configuration"). */
export const SDK_CONFIG_KEY_IDS = Object.freeze({ MASTER_P256_PUBLIC: 0x01, MASTER_P384_PUBLIC: 0x02 });
const APP_VALUE_BYTES = 16;

export interface MobileSdkConfig {
  applicationKey: Uint8Array;
  applicationSecret: Uint8Array;
  /** Key identifier → key bytes, in the order of the string. */
  keys: ReadonlyMap<number, Uint8Array>;
}

/** PowerAuth's Count: 1, 2 or 4 big-endian bytes with the length marked in the top bits. */
function encodeCount(n: number): number[] {
  if (n < 0x80) return [n];
  if (n < 0x4000) return [0x80 | (n >>> 8), n & 0xff];
  return [0xc0 | (n >>> 24), (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

function checkLength(bytes: Uint8Array, field: string): Uint8Array {
  if (!(bytes instanceof Uint8Array) || bytes.length !== APP_VALUE_BYTES) {
    throw new ProtocolError('INVALID_LENGTH', field, `must be ${APP_VALUE_BYTES} bytes`);
  }
  return bytes;
}

/** Builds the Base64 configuration string from the application's key, secret and master public key(s). */
export function encodeMobileSdkConfig(input: {
  applicationKey: Uint8Array;
  applicationSecret: Uint8Array;
  keys: ReadonlyMap<number, Uint8Array> | readonly (readonly [number, Uint8Array])[];
}): string {
  const keys = [...(input.keys as Iterable<readonly [number, Uint8Array]>)];
  const out: number[] = [SDK_CONFIG_VERSION];
  out.push(...checkLength(input.applicationKey, 'applicationKey'));
  out.push(...checkLength(input.applicationSecret, 'applicationSecret'));
  out.push(...encodeCount(keys.length));
  for (const [id, key] of keys) {
    if (!Number.isInteger(id) || id < 1 || id > 0xff)
      throw new ProtocolError('INVALID_ARGUMENT', 'keys', 'key identifier must be 1..255');
    if (!(key instanceof Uint8Array) || key.length === 0)
      throw new ProtocolError('INVALID_KEY', 'keys', 'key must be non-empty bytes');
    out.push(id, ...encodeCount(key.length), ...key);
  }
  return encodeBase64(Uint8Array.from(out));
}

class Reader {
  offset = 0;
  constructor(readonly bytes: Uint8Array) {}
  take(n: number): Uint8Array {
    if (this.offset + n > this.bytes.length) throw invalid('is truncated');
    const out = this.bytes.slice(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }
  count(): number {
    const first = this.take(1)[0]!;
    if (first < 0x80) return first;
    if (first < 0xc0) return ((first & 0x3f) << 8) | this.take(1)[0]!;
    const rest = this.take(3);
    return ((first & 0x3f) << 24) | (rest[0]! << 16) | (rest[1]! << 8) | rest[2]!;
  }
}

const invalid = (why: string) => new ProtocolError('INVALID_DATA', 'mobileSdkConfig', why);

/** Parses a configuration string; refuses another version, a truncated or over-long value, a repeated key. */
export function parseMobileSdkConfig(text: string): MobileSdkConfig {
  const bytes = decodeBase64Strict(text, 'mobileSdkConfig');
  const r = new Reader(bytes);
  if (r.take(1)[0] !== SDK_CONFIG_VERSION) throw invalid(`version must be ${SDK_CONFIG_VERSION}`);
  const applicationKey = r.take(APP_VALUE_BYTES);
  const applicationSecret = r.take(APP_VALUE_BYTES);
  const n = r.count();
  const keys = new Map<number, Uint8Array>();
  for (let i = 0; i < n; i++) {
    const id = r.take(1)[0]!;
    if (keys.has(id)) throw invalid(`key ${id} appears twice`);
    keys.set(id, r.take(r.count()));
  }
  if (r.offset !== bytes.length) throw invalid('has trailing bytes');
  return { applicationKey, applicationSecret, keys };
}
