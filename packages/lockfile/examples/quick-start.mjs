import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireLock, LockfileError, withLock } from '@offcode/lockfile';

const dir = mkdtempSync(join(tmpdir(), 'lockfile-example-'));
const lock = join(dir, 'counter.lock');

// A read-modify-write section: other processes using the same path wait for it (up to timeoutMs).
const value = await withLock(lock, async () => 41 + 1);
console.log(value); // 42

// While a holder lives, everyone else gives up after timeoutMs with LOCKED, naming the holder.
const held = await acquireLock(lock);
try {
  await acquireLock(lock, { timeoutMs: 100 });
} catch (error) {
  if (!(error instanceof LockfileError)) throw error;
  console.log(error.code, error.holder?.pid === process.pid); // LOCKED true
}
await held.release();
rmSync(dir, { recursive: true });
