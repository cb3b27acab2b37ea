/**
 * FileTokenStore: the token state in one JSON file (Node only; `@offcode/client/node`).
 * Writes are atomic and durable (temp file + fsync + rename + directory fsync); a cross-process lock file
 * serializes read-modify-write sections (client.md §2.2).
 */
import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { OffcodeClientError } from '../errors.js';
import type { TokenStore } from '../stores/types.js';

export interface FileTokenStoreOptions {
  /** Delay between attempts to take the lock (default 50 ms). */
  lockRetryMs?: number;
  /** Give up taking the lock after this long (default 5000 ms) → STORAGE_FAILURE "state file is locked". */
  lockTimeoutMs?: number;
  /**
   * A lock file older than this is stale: removed once, then retried (default 60000 ms). A lock whose
   * holder process is known to be gone (same host, pid no longer exists) is stale at once, so a crashed or
   * killed CLI does not block the token for a minute.
   */
  staleLockMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const errno = (e: unknown): string | undefined => (e as NodeJS.ErrnoException | undefined)?.code;

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
    this.lockRetryMs = options.lockRetryMs ?? 50;
    this.lockTimeoutMs = options.lockTimeoutMs ?? 5000;
    this.staleLockMs = options.staleLockMs ?? 60_000;
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
    await this.acquire();
    try {
      return await fn();
    } finally {
      await fs.rm(this.lockPath, { force: true }).catch(() => undefined);
    }
  }

  /** True only when the lock names a process of this host that no longer exists. */
  private async holderIsGone(): Promise<boolean> {
    const text = await fs.readFile(this.lockPath, 'utf8').catch(() => '');
    const [pid, , host] = text.trim().split(' ');
    if (!pid || !/^[0-9]+$/.test(pid) || host !== hostname() || Number(pid) === process.pid) return false;
    try {
      process.kill(Number(pid), 0);
      return false;
    } catch (e) {
      return errno(e) === 'ESRCH';
    }
  }

  private async acquire(): Promise<void> {
    const deadline = Date.now() + this.lockTimeoutMs;
    let staleRemoved = false;
    for (;;) {
      try {
        const handle = await fs.open(this.lockPath, 'wx', 0o600);
        try {
          await handle.writeFile(`${process.pid} ${new Date().toISOString()} ${hostname()}\n`, 'utf8');
        } finally {
          await handle.close();
        }
        return;
      } catch (e) {
        if (errno(e) !== 'EEXIST') {
          throw new OffcodeClientError(
            'STORAGE_FAILURE',
            `state lock cannot be created (${errno(e) ?? 'error'})`,
            {
              cause: e,
            },
          );
        }
      }
      if (!staleRemoved) {
        const stat = await fs.stat(this.lockPath).catch(() => undefined);
        if (stat && (Date.now() - stat.mtimeMs > this.staleLockMs || (await this.holderIsGone()))) {
          // A crashed holder left it behind: remove it once, then compete for it again.
          staleRemoved = true;
          await fs.rm(this.lockPath, { force: true }).catch(() => undefined);
          continue;
        }
      }
      if (Date.now() >= deadline) {
        throw new OffcodeClientError('STORAGE_FAILURE', 'state file is locked');
      }
      await sleep(this.lockRetryMs);
    }
  }
}
