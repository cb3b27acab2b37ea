import { PromiseQueue, type TokenStore } from './types.js';

/** Keeps the state in memory (tests, short-lived simulators). `lock` is an in-process FIFO queue. */
export class MemoryTokenStore implements TokenStore {
  private value: string | null;
  private readonly queue = new PromiseQueue();

  constructor(initial: string | null = null) {
    this.value = initial;
  }

  async read(): Promise<string | null> {
    return this.value;
  }

  async write(serialized: string): Promise<void> {
    this.value = serialized;
  }

  async remove(): Promise<void> {
    this.value = null;
  }

  lock<T>(fn: () => Promise<T>): Promise<T> {
    return this.queue.run(fn);
  }
}
