interface Waiter {
  exclusive: boolean;
  grant: () => void;
}

interface LockState {
  readers: number;
  writer: boolean;
  queue: Waiter[];
}

/**
 * Readers-writer locks by key, in process: any number of `shared` holders or one `exclusive` holder per
 * key, granted in arrival order (a waiting writer stops later readers from jumping it, so writers are
 * not starved). A key's state is dropped when nobody holds or waits for it.
 *
 * Not reentrant: taking a key again from inside `fn` while holding it exclusively waits forever.
 */
export class KeyedLock {
  readonly #states = new Map<string, LockState>();

  /** Runs `fn` while no exclusive holder has `key`. */
  shared<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.#run(key, false, fn);
  }

  /** Runs `fn` while nobody else holds `key`. */
  exclusive<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.#run(key, true, fn);
  }

  /** Number of keys held or waited for (for tests). */
  get size(): number {
    return this.#states.size;
  }

  async #run<T>(key: string, exclusive: boolean, fn: () => Promise<T>): Promise<T> {
    let state = this.#states.get(key);
    if (state === undefined) {
      state = { readers: 0, writer: false, queue: [] };
      this.#states.set(key, state);
    }
    const current = state;
    await new Promise<void>((resolve) => {
      current.queue.push({ exclusive, grant: resolve });
      this.#dispatch(key, current);
    });
    try {
      return await fn();
    } finally {
      if (exclusive) current.writer = false;
      else current.readers -= 1;
      this.#dispatch(key, current);
    }
  }

  #dispatch(key: string, state: LockState): void {
    while (!state.writer) {
      const next = state.queue[0];
      if (next === undefined) break;
      if (next.exclusive) {
        if (state.readers > 0) break;
        state.writer = true;
      } else {
        state.readers += 1;
      }
      state.queue.shift();
      next.grant();
    }
    if (!state.writer && state.readers === 0 && state.queue.length === 0) this.#states.delete(key);
  }
}
