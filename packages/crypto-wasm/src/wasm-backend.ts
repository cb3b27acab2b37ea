import { tryDecodeBase64Strict } from './base64.js';
import { OffcodeCryptoError } from './errors.js';
import { WASM_BASE64 } from './generated/wasm-bytes.js';
import type { RawBackend } from './raw.js';
import { CODE_PARAMETERS, type ProtocolVersion } from './versions.js';

interface Exports {
  memory: WebAssembly.Memory;
  ioEnsure(size: number): number;
  wipe(used: number): void;
  wipeSha(used: number): void;
  wipeKeccak(used: number): void;
  sha256(msg: number, len: number, out: number): void;
  sha3_256(msg: number, len: number, out: number): void;
  hmacSha256(key: number, keyLen: number, msg: number, len: number, out: number): void;
  kmac256(
    key: number,
    keyLen: number,
    msg: number,
    len: number,
    s: number,
    sLen: number,
    out: number,
    outLen: number,
  ): void;
  computeV3(keys: number, n: number, ctr: number, data: number, dataLen: number, out: number): void;
  computeV4(keys: number, n: number, ctr: number, data: number, dataLen: number, out: number): void;
  nextV3(ctr: number, out: number): void;
  nextV4(ctr: number, out: number): void;
  search(
    protocol: number,
    keys: number,
    nTypes: number,
    ctr: number,
    window: number,
    data: number,
    offsets: number,
    nData: number,
    mod: number,
    s0: number,
    s1: number,
    nextOut: number,
  ): number;
}

/** Instantiates the embedded module synchronously (no fs, no fetch). */
function instantiate(): Exports {
  // The build's own canonical output: strict decoding cannot fail (null only if the generated file is corrupt).
  const bytes = tryDecodeBase64Strict(WASM_BASE64) ?? new Uint8Array(0);
  // The module uses 128-bit SIMD (Node 16.4+, Chrome 91+, Firefox 89+, Safari 16.4+).
  if (!WebAssembly.validate(bytes)) {
    throw new OffcodeCryptoError(
      'backend',
      'this WebAssembly engine lacks SIMD support',
      'UNSUPPORTED_BACKEND',
    );
  }
  const module = new WebAssembly.Module(bytes);
  const instance = new WebAssembly.Instance(module, {});
  return instance.exports as unknown as Exports;
}

/** A bump writer over the wasm I/O area: inputs are laid out one after another, 8-byte aligned. */
class Io {
  private view: Uint8Array;
  base = 0;
  used = 0;

  constructor(private readonly wasm: Exports) {
    this.view = new Uint8Array(wasm.memory.buffer);
  }

  begin(size: number): void {
    this.base = this.wasm.ioEnsure(size + 64);
    if (this.view.buffer !== this.wasm.memory.buffer) this.view = new Uint8Array(this.wasm.memory.buffer);
    this.used = 0;
  }

  /** Reserves n bytes (optionally filled with `bytes`), returns the pointer. */
  put(n: number, bytes?: Uint8Array): number {
    const ptr = this.base + this.used;
    if (bytes) this.view.set(bytes, ptr);
    this.used += (n + 7) & ~7;
    return ptr;
  }

  read(ptr: number, n: number): Uint8Array {
    return this.view.slice(ptr, ptr + n);
  }

  u32(ptr: number, value: number): void {
    this.view[ptr] = value & 0xff;
    this.view[ptr + 1] = (value >>> 8) & 0xff;
    this.view[ptr + 2] = (value >>> 16) & 0xff;
    this.view[ptr + 3] = (value >>> 24) & 0xff;
  }
}

const pad8 = (n: number): number => (n + 7) & ~7;

/** The raw wasm backend; `memory()` exposes the linear memory to the zeroization tests only. */
export function createWasmBackend(): RawBackend & { memory(): Uint8Array } {
  const wasm = instantiate();
  const io = new Io(wasm);

  return {
    name: 'wasm',
    memory: () => new Uint8Array(wasm.memory.buffer),
    sha256(data) {
      io.begin(pad8(data.length) + 32);
      const msg = io.put(data.length, data);
      const out = io.put(32);
      wasm.sha256(msg, data.length, out);
      const result = io.read(out, 32);
      wasm.wipeSha(io.used);
      return result;
    },
    sha3_256(data) {
      io.begin(pad8(data.length) + 32);
      const msg = io.put(data.length, data);
      const out = io.put(32);
      wasm.sha3_256(msg, data.length, out);
      const result = io.read(out, 32);
      wasm.wipeKeccak(io.used);
      return result;
    },
    hmacSha256(key, data) {
      io.begin(pad8(key.length) + pad8(data.length) + 32);
      const k = io.put(key.length, key);
      const msg = io.put(data.length, data);
      const out = io.put(32);
      wasm.hmacSha256(k, key.length, msg, data.length, out);
      const result = io.read(out, 32);
      wasm.wipeSha(io.used);
      return result;
    },
    kmac256(key, data, customization, dkLen) {
      io.begin(pad8(key.length) + pad8(data.length) + pad8(customization.length) + pad8(dkLen));
      const k = io.put(key.length, key);
      const msg = io.put(data.length, data);
      const s = io.put(customization.length, customization);
      const out = io.put(dkLen);
      wasm.kmac256(k, key.length, msg, data.length, s, customization.length, out, dkLen);
      const result = io.read(out, dkLen);
      wasm.wipeKeccak(io.used);
      return result;
    },
    components(protocol: ProtocolVersion, keys, counter, data) {
      const keyLen = CODE_PARAMETERS[protocol].factorKeyBytes;
      io.begin(keyLen * keys.length + 32 + pad8(data.length) + 32 * keys.length);
      const k = io.put(keyLen * keys.length);
      keys.forEach((key, i) => {
        new Uint8Array(wasm.memory.buffer, k + i * keyLen, keyLen).set(key);
      });
      const ctr = io.put(counter.length, counter);
      const msg = io.put(data.length, data);
      const out = io.put(32 * keys.length);
      (protocol === 4 ? wasm.computeV4 : wasm.computeV3)(k, keys.length, ctr, msg, data.length, out);
      const result = keys.map((_, i) => io.read(out + 32 * i, 32));
      wasm.wipe(io.used);
      return result;
    },
    next(protocol, counter) {
      io.begin(64);
      const ctr = io.put(counter.length, counter);
      (protocol === 4 ? wasm.nextV4 : wasm.nextV3)(ctr, ctr);
      const result = io.read(ctr, counter.length);
      (protocol === 4 ? wasm.wipeKeccak : wasm.wipeSha)(io.used);
      return result;
    },
    search(protocol, keys, counter, window, data, modulus, s0, s1, nextOut) {
      const keyLen = CODE_PARAMETERS[protocol].factorKeyBytes;
      let dataLen = 0;
      for (const d of data) dataLen += d.length;
      io.begin(keyLen * keys.length + 32 + pad8(4 * (data.length + 1)) + pad8(dataLen) + 32);
      const k = io.put(keyLen * keys.length);
      keys.forEach((key, i) => {
        new Uint8Array(wasm.memory.buffer, k + i * keyLen, keyLen).set(key);
      });
      const ctr = io.put(counter.length, counter);
      const offsets = io.put(4 * (data.length + 1));
      const d = io.put(dataLen);
      let off = 0;
      data.forEach((candidate, i) => {
        io.u32(offsets + 4 * i, off);
        new Uint8Array(wasm.memory.buffer, d + off, candidate.length).set(candidate);
        off += candidate.length;
      });
      io.u32(offsets + 4 * data.length, off);
      const out = io.put(32);
      const found = wasm.search(
        protocol,
        k,
        keys.length - 1,
        ctr,
        window,
        d,
        offsets,
        data.length,
        modulus,
        s0,
        s1,
        out,
      );
      if (found >= 0) nextOut.set(io.read(out, counter.length));
      wasm.wipe(io.used);
      return found;
    },
  };
}
