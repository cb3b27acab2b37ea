/**
 * Transactions as services use them (server.md §3.5 step 2): busy errors (lock timeout, serialization
 * failure, deadlock) are retried up to 3 times with jitter, then OFF-0201; an unreachable database is
 * OFF-0201 at once; anything else unexpected is ERR0000 (with the cause kept for the log, not the client).
 */

import type { ServerContext } from './context.js';
import { EnrollmentError } from './enrollment/errors.js';
import { OffcodeError } from './errors.js';
import { type SqlExecutor, StorageError } from './storage/types.js';

const RETRIES = 3;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function mapUnexpected(error: unknown): OffcodeError | EnrollmentError {
  // EnrollmentError: the `/pa/v3/*` refusals (PowerAuth RESTful-integration codes) pass through unchanged.
  if (error instanceof OffcodeError || error instanceof EnrollmentError) return error;
  if (error instanceof StorageError && (error.reason === 'busy' || error.reason === 'unavailable')) {
    return new OffcodeError('OFF-0201', undefined, { cause: error });
  }
  return new OffcodeError('ERR0000', undefined, { cause: error });
}

export async function inTransaction<T>(
  ctx: ServerContext,
  fn: (tx: SqlExecutor) => Promise<T>,
  options: { lock?: boolean } = {},
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await ctx.storage.transaction(
        fn,
        options.lock ? { lockTimeoutMs: ctx.config.dbLockTimeoutMs } : {},
      );
    } catch (error) {
      if (error instanceof StorageError && error.reason === 'busy' && attempt < RETRIES) {
        await sleep(10 * 2 ** attempt + Math.random() * 20 * 2 ** attempt);
        continue;
      }
      throw mapUnexpected(error);
    }
  }
}

/** Reads outside a transaction with the same error mapping. */
export async function read<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw mapUnexpected(error);
  }
}

/** Wraps a service entry point: only OffcodeError (and, from the `/pa/v3/*` entry points, EnrollmentError) leaves it. */
export async function service<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw mapUnexpected(error);
  }
}
