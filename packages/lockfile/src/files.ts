/** The file operations the lock is built from: create-with-content-or-fail, read, remove. */
import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import { contentKey, type LockContent, parseLockContent } from './content.js';
import { errnoOf } from './errors.js';

/** Errors of `link` on file systems without hard links (FAT, exFAT, some network and FUSE file systems). */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

export const tempPathFor = (path: string): string => `${path}.${randomBytes(8).toString('hex')}.tmp`;

/**
 * Creates `path` holding `text`, or returns false when it already exists. The content is written to a temp
 * file first and `link`ed into place, so the file never exists without its full content (a reader never sees
 * an empty or half-written lock). Where hard links are refused, falls back to O_EXCL create + write; readers
 * treat a line that does not parse as a fresh lock of an unknown holder, so that window is safe, only slower
 * to recover after a crash.
 */
export async function createExclusive(path: string, text: string, useLink = true): Promise<boolean> {
  if (!useLink) return createWithOpen(path, text);
  for (;;) {
    const temp = tempPathFor(path);
    await fs.writeFile(temp, text, { flag: 'wx', mode: 0o600 });
    try {
      await fs.link(temp, path);
      return true;
    } catch (e) {
      const code = errnoOf(e);
      if (code === 'EEXIST') return false;
      if (NO_HARD_LINKS.has(code ?? '')) return createWithOpen(path, text);
      // ENOENT: the temp file was swept as garbage between write and link (only old temp files are): again.
      if (code !== 'ENOENT') throw e;
    } finally {
      await fs.unlink(temp).catch(() => undefined);
    }
  }
}

async function createWithOpen(path: string, text: string): Promise<boolean> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch (e) {
    if (errnoOf(e) === 'EEXIST') return false;
    throw e;
  }
  try {
    await handle.writeFile(text, 'utf8');
  } finally {
    await handle.close();
  }
  return true;
}

export interface LockFileState {
  text: string;
  /** contentKey(text): names this generation of the lock. */
  key: string;
  content: LockContent | null;
  mtimeMs: number;
}

/** The lock file as it is now, or null when there is none. */
export async function readLockFile(path: string): Promise<LockFileState | null> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(path, 'r');
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return null;
    throw e;
  }
  try {
    // Stat and read through one descriptor: both describe the same file even if it is replaced meanwhile.
    const stat = await handle.stat();
    const text = (await handle.readFile({ encoding: 'utf8' })).slice(0, 4096);
    return { text, key: contentKey(text), content: parseLockContent(text), mtimeMs: stat.mtimeMs };
  } finally {
    await handle.close();
  }
}

export async function unlinkIfExists(path: string): Promise<void> {
  try {
    await fs.unlink(path);
  } catch (e) {
    if (errnoOf(e) !== 'ENOENT') throw e;
  }
}
