/**
 * An exclusive cross-process lock file with atomic takeover of stale locks.
 *
 * Acquire: the lock line (pid, 128-bit random nonce, time, host name, Linux process identity; content.ts)
 * is written to a temp file and `link`ed to the lock path. `link` fails with EEXIST when the lock exists, so
 * creation is exclusive AND the file never exists without its content (no empty-lock window for readers).
 *
 * Stale: the holder is gone for good (liveness.ts): same host → the process no longer exists (or the pid
 * now belongs to another process); other host or unreadable line → not refreshed for `staleMs`. A live holder
 * on this host is never stale. Holders refresh the modification time every staleMs/3 so that a long-lived
 * lock (a database directory) does not age out while its holder lives.
 *
 * Takeover, the hole of "judge stale, remove, re-create": two processes both judge the lock stale; the first
 * removes it and creates its own; the second then removes the FIRST one's fresh lock and both hold it. Here
 * removal is a compare-and-swap keyed by the stale lock's content digest K (unique per lock generation,
 * because of the nonce):
 *   1. create the marker `<lock>.<K>.takeover` exclusively (same create-with-content as the lock); only its
 *      creator may go on — everyone else waits and retries;
 *   2. the creator re-reads the lock and removes it only if it still has digest K;
 *   3. it removes the marker and competes for the lock like everybody else.
 * Removing the marker after step 2 is safe: a late process that creates the marker again re-reads the lock in
 * step 2 and finds another generation (or none), so it removes nothing. A lock generation, once removed,
 * never comes back.
 *
 * A marker whose creator died before step 3 would block the takeover of K forever, so markers have levels:
 * when the marker of level n exists and ITS writer is gone (the same test as for locks), processes compete
 * for level n+1 (`<lock>.<K>.takeover.<n+1>`); the winner removes all levels after step 2. On this host a
 * writer is judged gone only when its process no longer exists, which is permanent, so at most one live
 * process is ever between steps 1 and 2 for one K: there is no window at all. The residual window is on
 * other hosts (network file systems), where "gone" can only mean "not refreshed for staleMs": a process that
 * stalls longer than staleMs between steps 2 and the removal, or a holder whose refreshes stall that long, can
 * lose its exclusivity. Pids are only meaningful when the host name identifies the pid namespace (two
 * containers with the same host name on one shared directory are not supported).
 *
 * Release removes the lock only if it still carries our digest (never a lock someone else took over).
 * Leftovers of crashes in the middle of a takeover (markers, temp files) are swept by the next process that
 * acquires the lock after a takeover; while it holds the lock, markers of other generations are garbage.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { contentKey, formatLockContent } from './content.js';
import { errnoOf, LockfileError, type LockHolder } from './errors.js';
import { createExclusive, type LockFileState, readLockFile, unlinkIfExists } from './files.js';
import { heldNonces, processIdentity, thisHost, writerGone } from './liveness.js';

export interface LockOptions {
  /** acquireLock / withLock: keep retrying this long, then fail with `LOCKED` (default 5000 ms; 0 = once). */
  timeoutMs?: number;
  /** Delay between attempts (default 50 ms, randomized ±50% so that waiting processes spread out). */
  retryMs?: number;
  /**
   * A lock of another host, or one whose line does not parse, is stale when its modification time is older
   * than this (default 60000 ms; `Infinity`: never). Holders refresh it every staleMs/3. Does not apply to
   * holders on this host, which are stale exactly when their process is gone.
   */
  staleMs?: number;
  /**
   * Called in the one process that removed a stale lock (holder: as written in it, null when unreadable);
   * what it throws is ignored.
   */
  onStaleLockRemoved?: (holder: LockHolder | null) => void;
}

export interface LockHandle {
  /** Absolute path of the lock file. */
  readonly path: string;
  /** Removes the lock file if it is still ours; idempotent. */
  release(): Promise<void>;
}

interface ResolvedOptions {
  timeoutMs: number;
  retryMs: number;
  staleMs: number;
  onStaleLockRemoved: ((holder: LockHolder | null) => void) | undefined;
}

/** Levels of takeover markers (see the module comment); more than a few means repeated crashes. */
const MAX_MARKER_LEVELS = 8;
/** Temp files older than this are left by crashed writers (a live writer links within milliseconds). */
const TEMP_GARBAGE_AGE_MS = 60_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function resolveOptions(o: LockOptions): ResolvedOptions {
  const nonNegative = (name: string, v: number | undefined, dflt: number, allowInfinity = false) => {
    const value = v ?? dflt;
    const ok = typeof value === 'number' && value >= 0 && (Number.isFinite(value) || allowInfinity);
    if (!ok) throw new LockfileError('INVALID_ARGUMENT', `${name} must be a non-negative number`);
    return value;
  };
  const staleMs = nonNegative('staleMs', o.staleMs, 60_000, true);
  if (staleMs === 0) throw new LockfileError('INVALID_ARGUMENT', 'staleMs must be greater than 0');
  if (o.onStaleLockRemoved !== undefined && typeof o.onStaleLockRemoved !== 'function') {
    throw new LockfileError('INVALID_ARGUMENT', 'onStaleLockRemoved must be a function');
  }
  return {
    timeoutMs: nonNegative('timeoutMs', o.timeoutMs, 5000),
    retryMs: nonNegative('retryMs', o.retryMs, 50),
    staleMs,
    onStaleLockRemoved: o.onStaleLockRemoved,
  };
}

function resolveLockPath(path: unknown): string {
  if (typeof path !== 'string' || path.length === 0 || path.includes('\0')) {
    throw new LockfileError('INVALID_ARGUMENT', 'lock path must be a non-empty string');
  }
  return resolve(path);
}

interface OwnLine {
  nonce: string;
  text: string;
}

/** A fresh lock line; its nonce is registered first, so this process never judges it stale. */
async function ownLine(): Promise<OwnLine> {
  const nonce = randomBytes(16).toString('hex');
  heldNonces().add(nonce);
  const text = formatLockContent({
    pid: process.pid,
    nonce,
    acquiredAt: new Date().toISOString(),
    hostname: thisHost(),
    identity: await processIdentity(),
  });
  return { nonce, text };
}

const holderOf = (s: LockFileState): LockHolder | null =>
  s.content && { pid: s.content.pid, hostname: s.content.hostname, acquiredAt: s.content.acquiredAt };

function lockedError(path: string, holder: LockHolder | null): LockfileError {
  const who = holder
    ? `process ${holder.pid} on ${holder.hostname} since ${holder.acquiredAt}`
    : 'an unknown holder';
  return new LockfileError('LOCKED', `${path} is locked by ${who}`, { holder });
}

function ioError(path: string, e: unknown): LockfileError {
  if (e instanceof LockfileError) return e;
  return new LockfileError('IO', `lock ${path} cannot be used (${errnoOf(e) ?? 'error'})`, { cause: e });
}

const markerPath = (lockPath: string, key: string, level: number) =>
  `${lockPath}.${key}.takeover${level === 0 ? '' : `.${level}`}`;

type Takeover = 'removed' | 'changed' | 'busy';

/** Steps 1–3 of the module comment for the lock generation `staleKey`. */
async function takeOver(lockPath: string, staleKey: string, o: ResolvedOptions): Promise<Takeover> {
  const marker = await ownLine();
  try {
    for (let level = 0; level < MAX_MARKER_LEVELS; level++) {
      const path = markerPath(lockPath, staleKey, level);
      if (await createExclusive(path, marker.text)) {
        try {
          const now = await readLockFile(lockPath);
          if (now?.key !== staleKey) return 'changed';
          await unlinkIfExists(lockPath);
          return 'removed';
        } finally {
          for (let l = level; l >= 0; l--) {
            // A marker that cannot be removed names us; once we exit, the next level takes over.
            await unlinkIfExists(markerPath(lockPath, staleKey, l)).catch(() => undefined);
          }
        }
      }
      const other = await readLockFile(path);
      if (other === null) return 'changed'; // its taker has finished
      if (!(await writerGone(other.content, other.mtimeMs, o.staleMs))) return 'busy';
    }
    return 'busy';
  } finally {
    heldNonces().delete(marker.nonce);
  }
}

type Attempt = { acquired: true; tookOver: boolean } | { acquired: false; holder: LockHolder | null };

/** One try: create the lock, or take over a stale one and create it then. */
async function attempt(lockPath: string, line: OwnLine, o: ResolvedOptions): Promise<Attempt> {
  let tookOver = false;
  let holder: LockHolder | null = null;
  for (let round = 0; round < 4; round++) {
    if (await createExclusive(lockPath, line.text)) return { acquired: true, tookOver };
    const current = await readLockFile(lockPath);
    if (current === null) continue; // released between our create and our read
    holder = holderOf(current);
    if (!(await writerGone(current.content, current.mtimeMs, o.staleMs))) break;
    const outcome = await takeOver(lockPath, current.key, o);
    if (outcome === 'busy') break;
    if (outcome === 'removed') {
      tookOver = true;
      try {
        o.onStaleLockRemoved?.(holder);
      } catch {
        // A failing observer must not leave the lock half-taken.
      }
    }
  }
  return { acquired: false, holder };
}

/** Removes what crashed takeovers left (see the module comment); runs only while we hold the lock. */
async function sweepGarbage(lockPath: string, ownKey: string): Promise<void> {
  const dir = dirname(lockPath);
  const prefix = `${basename(lockPath)}.`;
  const marker = /^([0-9a-f]{32})\.takeover(\.[0-9]+)?$/;
  const temp = /^[0-9a-f]{16}\.tmp$/;
  for (const name of await fs.readdir(dir)) {
    if (!name.startsWith(prefix)) continue;
    const rest = name.slice(prefix.length);
    const path = join(dir, name);
    const m = marker.exec(rest);
    if (m && m[1] !== ownKey) await unlinkIfExists(path);
    if (temp.test(rest)) {
      const stat = await fs.stat(path).catch(() => null);
      if (stat && Date.now() - stat.mtimeMs > TEMP_GARBAGE_AGE_MS) await unlinkIfExists(path);
    }
  }
}

class Handle implements LockHandle {
  readonly path: string;
  readonly #line: OwnLine;
  readonly #key: string;
  #timer: ReturnType<typeof setInterval> | undefined;
  #released = false;

  constructor(path: string, line: OwnLine, staleMs: number) {
    this.path = path;
    this.#line = line;
    this.#key = contentKey(line.text);
    if (Number.isFinite(staleMs)) {
      const every = Math.min(2 ** 31 - 1, Math.max(10, Math.floor(staleMs / 3)));
      this.#timer = setInterval(() => void this.#refresh(), every);
      this.#timer.unref();
    }
  }

  /** Keeps the modification time fresh for other hosts' staleness test; stops once the lock is not ours. */
  async #refresh(): Promise<void> {
    try {
      const now = await readLockFile(this.path);
      if (now?.key !== this.#key) {
        clearInterval(this.#timer);
        return;
      }
      const t = new Date();
      await fs.utimes(this.path, t, t);
    } catch {
      // A refresh that fails is retried at the next tick; the lock itself is unaffected.
    }
  }

  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    clearInterval(this.#timer);
    try {
      const now = await readLockFile(this.path);
      if (now?.key === this.#key) await unlinkIfExists(this.path);
    } catch (e) {
      throw ioError(this.path, e);
    } finally {
      heldNonces().delete(this.#line.nonce);
    }
  }
}

/**
 * Takes the lock at `path` (its directory must exist), taking over a stale lock, retrying until
 * `timeoutMs`; then `LockfileError` `LOCKED` naming the holder.
 */
export async function acquireLock(path: string, options: LockOptions = {}): Promise<LockHandle> {
  const o = resolveOptions(options);
  const lockPath = resolveLockPath(path);
  const deadline = Date.now() + o.timeoutMs;
  const line = await ownLine();
  try {
    for (;;) {
      const r = await attempt(lockPath, line, o);
      if (r.acquired) {
        if (r.tookOver) await sweepGarbage(lockPath, contentKey(line.text)).catch(() => undefined);
        return new Handle(lockPath, line, o.staleMs);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw lockedError(lockPath, r.holder);
      await sleep(Math.min(left, o.retryMs * (0.5 + Math.random())));
    }
  } catch (e) {
    heldNonces().delete(line.nonce);
    throw ioError(lockPath, e);
  }
}

/** One attempt (a stale lock is still taken over): the handle, or null while a live holder has the lock. */
export async function tryAcquireLock(
  path: string,
  options: Omit<LockOptions, 'timeoutMs' | 'retryMs'> = {},
): Promise<LockHandle | null> {
  try {
    return await acquireLock(path, { ...options, timeoutMs: 0 });
  } catch (e) {
    if (e instanceof LockfileError && e.code === 'LOCKED') return null;
    throw e;
  }
}

/**
 * Runs `fn` while holding the lock and releases it afterwards. An error of `fn` wins over an error of the
 * release; a failed release after a successful `fn` is reported.
 */
export async function withLock<T>(
  path: string,
  fn: (handle: LockHandle) => Promise<T> | T,
  options: LockOptions = {},
): Promise<T> {
  const handle = await acquireLock(path, options);
  let result: T;
  try {
    result = await fn(handle);
  } catch (e) {
    await handle.release().catch(() => undefined);
    throw e;
  }
  await handle.release();
  return result;
}
