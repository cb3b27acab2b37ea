/** A FIFO async mutex: PGlite has one connection, so transactions and statements take turns. */
export class AsyncMutex {
  #tail: Promise<void> = Promise.resolve();
  #entered = 0;

  /** Callers inside `run` (the holder and those queued behind it). */
  get entered(): number {
    return this.#entered;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    this.#entered += 1;
    let release!: () => void;
    const next = new Promise<void>((resolve) => {
      release = resolve;
    });
    const previous = this.#tail;
    this.#tail = previous.then(() => next);
    await previous;
    try {
      return await fn();
    } finally {
      this.#entered -= 1;
      release();
    }
  }
}
