/**
 * FileTokenStore: the token state in one JSON file (Node only; `@offcode/client/node`).
 * Writes are atomic and durable (temp file + fsync + rename + directory fsync); a cross-process lock file
 * (`<path>.lock`, @offcode/lockfile) serializes read-modify-write sections (client.md §2.2): a lock left by
 * a killed process is taken over by exactly one waiting process, so no counter value is ever used twice.
 */
import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { acquireLock, LockfileError, type LockHandle } from '@offcode/lockfile';
import { OffcodeClientError } from '../errors.js';
import type { TokenStore } from '../stores/types.js';

export interface FileTokenStoreOptions {
  /** Delay between attempts to take the lock (default 50 ms). */
  lockRetryMs?: number;
  /** Give up taking the lock after this long (default 5000 ms) → STORAGE_FAILURE "state file is locked". */
  lockTimeoutMs?: number;
  /**
   * A lock of this host is stale exactly when its holder process is gone (taken over at once, so a crashed
   * or killed CLI does not block the token). A lock written on another host (a shared network directory)
   * or one that cannot be parsed is stale when not refreshed for this long (default 60000 ms).
   */
  staleLockMs?: number;
}

const errno = (e: unknown): string | undefined => (e as NodeJS.ErrnoException | undefined)?.code;

function lockOption(options: FileTokenStoreOptions, name: keyof FileTokenStoreOptions, dflt: number): number {
  const value = options[name] ?? dflt;
  const infinite = name === 'staleLockMs' && value === Number.POSITIVE_INFINITY;
  const zero = name === 'staleLockMs' && value === 0;
  if (typeof value !== 'number' || !(value >= 0) || zero || (!Number.isFinite(value) && !infinite)) {
    throw new OffcodeClientError('INVALID_INPUT', `${name} must be a non-negative number of milliseconds`, {
      field: name,
    });
  }
  return value;
}

export class FileTokenStore implements TokenStore {
  readonly path: string;
  readonly lockPath: string;
  private readonly lockRetryMs: number;
  private readonly lockTimeoutMs: number;
  private readonly staleLockMs: number;

  constructor(path: string, options: FileTokenStoreOptions = {}) {
    if (typeof path !== 'string' || path.length === 0) {
      throw new OffcodeClientError('INVALID_INPUT', 'state path must be a non-empty string');
    }
    this.path = resolve(path);
    this.lockPath = `${this.path}.lock`;
    this.lockRetryMs = lockOption(options, 'lockRetryMs', 50);
    this.lockTimeoutMs = lockOption(options, 'lockTimeoutMs', 5000);
    this.staleLockMs = lockOption(options, 'staleLockMs', 60_000);
  }

  async read(): Promise<string | null> {
    try {
      return await fs.readFile(this.path, 'utf8');
    } catch (e) {
      if (errno(e) === 'ENOENT') return null;
      throw new OffcodeClientError('STORAGE_FAILURE', `state file cannot be read (${errno(e) ?? 'error'})`, {
        cause: e,
      });
    }
  }

  async write(serialized: string): Promise<void> {
    const dir = dirname(this.path);
    const tmp = join(dir, `.${basename(this.path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    let handle: fs.FileHandle | undefined;
    try {
      handle = await fs.open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
      await handle.writeFile(serialized, 'utf8');
      await handle.sync();
      await handle.close();
      handle = undefined;
      await fs.rename(tmp, this.path);
    } catch (e) {
      await handle?.close().catch(() => undefined);
      await fs.rm(tmp, { force: true }).catch(() => undefined);
      throw new OffcodeClientError(
        'STORAGE_FAILURE',
        `state file cannot be written (${errno(e) ?? 'error'})`,
        {
          cause: e,
        },
      );
    }
    await this.syncDirectory(dir);
  }

  /** Makes the rename durable; some file systems and platforms refuse fsync on a directory. */
  private async syncDirectory(dir: string): Promise<void> {
    let handle: fs.FileHandle | undefined;
    try {
      handle = await fs.open(dir, 'r');
      await handle.sync();
    } catch (e) {
      const code = errno(e);
      if (code !== 'EINVAL' && code !== 'EPERM' && code !== 'EISDIR') {
        throw new OffcodeClientError(
          'STORAGE_FAILURE',
          `state directory cannot be synced (${code ?? 'error'})`,
          {
            cause: e,
          },
        );
      }
    } finally {
      await handle?.close().catch(() => undefined);
    }
  }

  async remove(): Promise<void> {
    try {
      await fs.rm(this.path);
    } catch (e) {
      if (errno(e) === 'ENOENT') return;
      throw new OffcodeClientError(
        'STORAGE_FAILURE',
        `state file cannot be removed (${errno(e) ?? 'error'})`,
        {
          cause: e,
        },
      );
    }
    await this.syncDirectory(dirname(this.path));
  }

  async lock<T>(fn: () => Promise<T>): Promise<T> {
    const handle = await this.acquire();
    try {
      return await fn();
    } finally {
      // The state is already durable; a lock that cannot be removed is stale once this process exits.
      await handle.release().catch(() => undefined);
    }
  }

  private async acquire(): Promise<LockHandle> {
    try {
      return await acquireLock(this.lockPath, {
        timeoutMs: this.lockTimeoutMs,
        retryMs: this.lockRetryMs,
        staleMs: this.staleLockMs,
      });
    } catch (e) {
      if (e instanceof LockfileError && e.code === 'LOCKED') {
        throw new OffcodeClientError('STORAGE_FAILURE', 'state file is locked', { cause: e });
      }
      const cause = e instanceof LockfileError ? e.cause : e;
      throw new OffcodeClientError(
        'STORAGE_FAILURE',
        `state lock cannot be created (${errno(cause) ?? 'error'})`,
        { cause: e },
      );
    }
  }
}
