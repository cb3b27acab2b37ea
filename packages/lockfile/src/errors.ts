/** The one error class of the package: `code` says what went wrong, `cause` keeps the file-system error. */
import { OffcodeBaseError } from '@offcode/errors';

export type LockfileErrorCode =
  /** Another live holder kept the lock until the deadline; `holder` names it when the lock is readable. */
  | 'LOCKED'
  /** The lock (or its directory) cannot be created, read or removed; `cause` is the file-system error. */
  | 'IO'
  /** A path or an option is not usable (empty path, negative timeout, …). */
  | 'INVALID_ARGUMENT';

/** Who holds a lock, as written in the lock file. */
export interface LockHolder {
  pid: number;
  hostname: string;
  /** ISO 8601 time the holder took the lock. */
  acquiredAt: string;
}

/** On @offcode/errors: `INVALID_ARGUMENT` is kind `input`, `LOCKED` and `IO` are `unavailable` (retry later). */
export class LockfileError extends OffcodeBaseError {
  override readonly name = 'LockfileError';
  declare readonly code: LockfileErrorCode;
  /** `LOCKED` only: the holder seen last, or null when the lock file could not be parsed. */
  readonly holder: LockHolder | null;

  constructor(
    code: LockfileErrorCode,
    message: string,
    options: { cause?: unknown; holder?: LockHolder | null } = {},
  ) {
    super(code === 'INVALID_ARGUMENT' ? 'input' : 'unavailable', code, message, { cause: options.cause });
    this.holder = options.holder ?? null;
  }
}

/** The errno code of a Node file-system error (ENOENT, EEXIST, …), if any. */
export const errnoOf = (e: unknown): string | undefined => {
  const code = (e as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
};
