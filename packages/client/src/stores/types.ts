/**
 * Pluggable persistence for one token (client.md §2.2). The token (de)serializes and validates the JSON
 * itself; a store only moves text and provides an exclusive section for read-modify-write.
 */
export interface TokenStore {
  /** The serialized state, or `null` when there is no token. */
  read(): Promise<string | null>;
  /** Atomic replace, durable when the promise resolves. */
  write(serialized: string): Promise<void>;
  remove(): Promise<void>;
  /** Runs `fn` exclusively (no other `lock` section of the same token runs meanwhile). */
  lock<T>(fn: () => Promise<T>): Promise<T>;
}

/** A FIFO in-process mutex built on a promise chain. */
export class PromiseQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn, fn);
    // The next section waits for this one whatever its outcome.
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
