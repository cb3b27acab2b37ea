// Exports of the Offcode crypto core. All pointers refer to this module's linear memory; the TS wrapper
// copies inputs into the I/O area (ioEnsure) and reads outputs back.
import { engineWipe } from './engine';
import { hmacWipe } from './hmac';
import { keccakWipe } from './keccak';
import { sha256Wipe } from './sha256';

export { computeV3, computeV4, nextV3, nextV4, search } from './engine';
export { hmacSha256 } from './hmac';
export { kmac256, sha3_256 } from './keccak';
export { sha256 } from './sha256';

let io: usize = heap.alloc(4096);
let ioSize: usize = 4096;

/** Returns a pointer to an I/O area of at least `size` bytes (grows it when needed). */
export function ioEnsure(size: usize): usize {
  if (size > ioSize) {
    memory.fill(io, 0, ioSize);
    io = heap.alloc(size);
    ioSize = size;
  }
  return io;
}

function wipeIo(used: usize): void {
  memory.fill(io, 0, used < ioSize ? used : ioSize);
}

/** After SHA-256 / HMAC calls: the I/O area and the SHA-256/HMAC scratch buffers. */
export function wipeSha(used: usize): void {
  wipeIo(used);
  sha256Wipe();
  hmacWipe();
}

/** After SHA3 / KMAC calls: the I/O area and the sponge scratch buffers. */
export function wipeKeccak(used: usize): void {
  wipeIo(used);
  keccakWipe();
}

/** After engine calls: everything, including every cached state of the code engine. */
export function wipe(used: usize): void {
  wipeIo(used);
  sha256Wipe();
  hmacWipe();
  keccakWipe();
  engineWipe();
}
