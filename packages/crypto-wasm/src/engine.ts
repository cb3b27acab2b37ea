import { encodeBase64 } from './base64.js';
import { formatDecimal } from './decimal.js';
import { OffcodeCryptoError } from './errors.js';
import type { RawBackend } from './raw.js';
import type {
  AuthCodeInput,
  ComputeInput,
  KmacOptions,
  OffcodeCrypto,
  OfflineCodeSearch,
  OfflineCodeSearchResult,
  OfflineFactorType,
} from './types.js';
import {
  checkBytes,
  checkInt,
  checkProtocol,
  MAX_DATA_CANDIDATES,
  MAX_WINDOW,
  parseOfflineCode,
} from './validate.js';
import { CODE_PARAMETERS } from './versions.js';

const utf8 = new TextEncoder();
// Callers use a handful of fixed customization strings ("PA4CODE", "PA4KDF:auth", ...): keep their bytes.
const customizationCache = new Map<string, Uint8Array>();
function encodeCustomization(s: string): Uint8Array {
  let bytes = customizationCache.get(s);
  if (!bytes) {
    bytes = utf8.encode(s);
    if (customizationCache.size < 64) customizationCache.set(s, bytes);
  }
  return bytes;
}

const OFFLINE_TYPES: readonly OfflineFactorType[] = ['possession_knowledge', 'possession_biometry'];

function checkComputeInput(input: ComputeInput) {
  if (typeof input !== 'object' || input === null) throw new OffcodeCryptoError('input', 'must be an object');
  const protocol = checkProtocol(input.protocol);
  if (!Array.isArray(input.keys) || input.keys.length < 1 || input.keys.length > 3) {
    throw new OffcodeCryptoError('keys', 'must hold 1 to 3 factor keys');
  }
  const keys = input.keys.map((k, i) =>
    checkBytes(k, `keys[${i}]`, CODE_PARAMETERS[protocol].factorKeyBytes),
  );
  const counter = checkBytes(input.counter, 'counter', CODE_PARAMETERS[protocol].counterBytes);
  const data = checkBytes(input.data, 'data');
  return { protocol, keys, counter, data };
}

/** Wraps a backend with the shared validation, formatting and result shaping. */
export function createOffcodeCrypto(raw: RawBackend): OffcodeCrypto {
  const computeCodeComponents = (input: ComputeInput): Uint8Array[] => {
    const { protocol, keys, counter, data } = checkComputeInput(input);
    return raw.components(protocol, keys, counter, data);
  };

  return {
    backend: raw.name,
    sha256: (data) => raw.sha256(checkBytes(data, 'data')),
    sha3_256: (data) => raw.sha3_256(checkBytes(data, 'data')),
    hmacSha256: (key, data) => raw.hmacSha256(checkBytes(key, 'key'), checkBytes(data, 'data')),
    kmac256(key: Uint8Array, data: Uint8Array, options: KmacOptions = {}) {
      const s = options.customization ?? new Uint8Array(0);
      const customization = typeof s === 'string' ? encodeCustomization(s) : checkBytes(s, 'customization');
      const dkLen = checkInt(options.dkLen ?? 32, 'dkLen', 1, 4096);
      return raw.kmac256(checkBytes(key, 'key'), checkBytes(data, 'data'), customization, dkLen);
    },
    computeCodeComponents,
    computeAuthCode(input: AuthCodeInput) {
      const format = input?.format ?? 'decimal';
      if (format !== 'decimal' && format !== 'base64') {
        throw new OffcodeCryptoError('format', 'must be "decimal" or "base64"');
      }
      const length = checkInt(input?.length ?? 8, 'length', 4, 8);
      const components = computeCodeComponents(input);
      if (format === 'decimal') return components.map((c) => formatDecimal(c, length)).join('-');
      // Online form (crypto.md 3.4 / 5): V3 keeps bytes 16..31 of each component, V4 all 32.
      const keep = CODE_PARAMETERS[input.protocol].onlineComponentBytes;
      const parts = components.map((c) => c.subarray(c.length - keep));
      const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let o = 0;
      for (const p of parts) {
        joined.set(p, o);
        o += p.length;
      }
      return encodeBase64(joined);
    },
    nextCounter(protocol, counter) {
      const p = checkProtocol(protocol);
      return raw.next(p, checkBytes(counter, 'counter', CODE_PARAMETERS[p].counterBytes));
    },
    searchOfflineCode(input: OfflineCodeSearch): OfflineCodeSearchResult {
      if (typeof input !== 'object' || input === null)
        throw new OffcodeCryptoError('input', 'must be an object');
      const protocol = checkProtocol(input.protocol);
      const possession = checkBytes(
        input.possessionKey,
        'possessionKey',
        CODE_PARAMETERS[protocol].factorKeyBytes,
      );
      if (!Array.isArray(input.factors) || input.factors.length < 1 || input.factors.length > 2) {
        throw new OffcodeCryptoError('factors', 'must hold 1 or 2 second factors');
      }
      const types = input.factors.map((f, i) => {
        if (!OFFLINE_TYPES.includes(f?.type)) {
          throw new OffcodeCryptoError(
            `factors[${i}].type`,
            'must be possession_knowledge or possession_biometry',
          );
        }
        return f.type;
      });
      if (types.length === 2 && types[0] === types[1]) {
        throw new OffcodeCryptoError('factors', 'types must be distinct');
      }
      const seconds = input.factors.map((f, i) =>
        checkBytes(f.key, `factors[${i}].key`, CODE_PARAMETERS[protocol].factorKeyBytes),
      );
      const counter = checkBytes(input.counter, 'counter', CODE_PARAMETERS[protocol].counterBytes);
      const window = checkInt(input.window, 'window', 1, MAX_WINDOW);
      const candidates = input.data instanceof Uint8Array ? [input.data] : input.data;
      if (!Array.isArray(candidates) || candidates.length < 1 || candidates.length > MAX_DATA_CANDIDATES) {
        throw new OffcodeCryptoError('data', `must be a Uint8Array or 1..${MAX_DATA_CANDIDATES} of them`);
      }
      const data = candidates.map((d, i) => checkBytes(d, `data[${i}]`));
      const { length, s0, s1 } = parseOfflineCode(input.code, input.length);
      const nextOut = new Uint8Array(counter.length);
      const found = raw.search(
        protocol,
        [possession, ...seconds],
        counter,
        window,
        data,
        10 ** length,
        s0,
        s1,
        nextOut,
      );
      if (found < 0) return { match: false };
      const position = (found >> 8) & 0xff;
      return {
        match: true,
        candidate: found >> 16,
        position,
        type: types[found & 0xff]!,
        nextCounter: nextOut,
        counterIncrement: position + 1,
      };
    },
  };
}
