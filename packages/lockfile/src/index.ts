/**
 * `@offcode/lockfile`: an exclusive cross-process lock file (Node only). One process at a time holds the
 * lock; a lock left by a process that died is taken over by exactly one waiting process; a holder only ever
 * removes its own lock. The algorithm and its reasoning are in lock.ts.
 */
export { LockfileError, type LockfileErrorCode, type LockHolder } from './errors.js';
export { acquireLock, type LockHandle, type LockOptions, tryAcquireLock, withLock } from './lock.js';
