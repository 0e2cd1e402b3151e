interface Waiter {
  /** `true` when woken by `notify`. */
  resolve: (notified?: boolean) => void;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Parks long-polling receives per queue. `notify` wakes the oldest waiters of a queue (as many as it is told,
 * by default all), which retry the receive; `wait` also resolves at a deadline (the poll's end, or when a
 * delayed/in-flight message becomes visible), on abort, or when `closeAll` runs at shutdown.
 */
export class LongPollWaiters {
  readonly #waiters = new Map<number, Set<Waiter>>();
  #closed = false;

  /**
   * Resolves when the queue is notified (`true`), or `false` at `until` (epoch ms), on abort, or on close.
   */
  wait(queueId: number, until: number, signal: AbortSignal | undefined): Promise<boolean> {
    if (this.#closed || signal?.aborted === true) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      let set = this.#waiters.get(queueId);
      if (set === undefined) {
        set = new Set();
        this.#waiters.set(queueId, set);
      }
      const waiters = set;
      const onAbort = (): void => waiter.resolve();
      const waiter: Waiter = {
        timer: undefined,
        resolve: (notified = false) => {
          if (waiter.timer !== undefined) clearTimeout(waiter.timer);
          signal?.removeEventListener('abort', onAbort);
          waiters.delete(waiter);
          if (waiters.size === 0 && this.#waiters.get(queueId) === waiters) this.#waiters.delete(queueId);
          resolve(notified);
        },
      };
      waiter.timer = setTimeout(
        () => waiter.resolve(),
        Math.max(0, Math.min(until - Date.now(), 2_147_000_000)),
      );
      signal?.addEventListener('abort', onAbort, { once: true });
      waiters.add(waiter);
    });
  }

  /**
   * Wakes the `count` oldest receives waiting on the queue (default: all). Waking one per new message rather
   * than all spares every other parked receive a retry that would find nothing, as SQS does.
   */
  notify(queueId: number, count: number = Number.POSITIVE_INFINITY): void {
    const set = this.#waiters.get(queueId);
    if (set === undefined) return;
    let woken = 0;
    for (const waiter of [...set]) {
      if (woken++ >= count) break;
      waiter.resolve(true);
    }
  }

  /** Number of parked receives (all queues). */
  get size(): number {
    let total = 0;
    for (const set of this.#waiters.values()) total += set.size;
    return total;
  }

  /** Wakes everyone and refuses new waits (shutdown). */
  closeAll(): void {
    this.#closed = true;
    for (const set of [...this.#waiters.values()]) for (const waiter of [...set]) waiter.resolve();
  }
}
