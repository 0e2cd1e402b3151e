/**
 * Every `code` a {@link SemaphoreError} can carry: `SEMAPHORE_ABORTED` ({@link SemaphoreAbortError}),
 * `SEMAPHORE_TIMEOUT` ({@link SemaphoreTimeoutError}), `SEMAPHORE_OVERFLOW` ({@link SemaphoreOverflowError}),
 * `SEMAPHORE_CAPACITY` ({@link SemaphoreCapacityError}).
 */
export type SemaphoreErrorCode =
  | 'SEMAPHORE_ABORTED'
  | 'SEMAPHORE_TIMEOUT'
  | 'SEMAPHORE_OVERFLOW'
  | 'SEMAPHORE_CAPACITY';

/**
 * Base class of every error a `Semaphore` rejects with; branch on `code` or on the subclass. Invalid
 * arguments (a weight that is not a positive integer, a negative timeout) throw plain `RangeError`s instead,
 * synchronously, since they are bugs in the caller rather than outcomes to handle.
 *
 * @example
 * ```ts
 * import { Semaphore, SemaphoreError } from '@media-server/semaphore';
 *
 * const semaphore = new Semaphore(1, { maxWaiters: 100 });
 * try {
 *   await semaphore.run(() => fetch('https://example.com'), { timeoutMs: 5_000 });
 * } catch (error) {
 *   if (error instanceof SemaphoreError && error.code === 'SEMAPHORE_TIMEOUT') console.warn('too busy, try later');
 *   else throw error;
 * }
 * ```
 */
export class SemaphoreError extends Error {
  /** Machine-readable reason. */
  readonly code: SemaphoreErrorCode;

  /**
   * @param code What went wrong.
   * @param message Human-readable detail.
   * @param options `cause`, as for `Error`.
   */
  constructor(code: SemaphoreErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SemaphoreError';
    this.code = code;
  }
}

/**
 * The `signal` passed to `acquire`/`run` aborted before a permit was granted (code `SEMAPHORE_ABORTED`).
 * `cause` is `signal.reason`. A waiter removed this way never holds a permit, so there is nothing to release.
 *
 * @example
 * ```ts
 * import { Semaphore, SemaphoreAbortError } from '@media-server/semaphore';
 *
 * const semaphore = new Semaphore(1);
 * const held = await semaphore.acquire();
 * const controller = new AbortController();
 * const waiting = semaphore.acquire(1, { signal: controller.signal });
 * controller.abort(new Error('shutting down'));
 * const error = await waiting.catch((e: unknown) => e);
 * console.log(error instanceof SemaphoreAbortError); // true
 * held.release();
 * ```
 */
export class SemaphoreAbortError extends SemaphoreError {
  /** @param reason The signal's `reason`, kept as `cause`. */
  constructor(reason: unknown) {
    super('SEMAPHORE_ABORTED', 'Semaphore acquire aborted', { cause: reason });
    this.name = 'SemaphoreAbortError';
  }
}

/**
 * No permit was granted within the `timeoutMs` of `acquire`/`run` (code `SEMAPHORE_TIMEOUT`).
 *
 * @example
 * ```ts
 * import { Semaphore, SemaphoreTimeoutError } from '@media-server/semaphore';
 *
 * const semaphore = new Semaphore(1);
 * const held = await semaphore.acquire();
 * const error = await semaphore.acquire(1, { timeoutMs: 10 }).catch((e: unknown) => e);
 * if (error instanceof SemaphoreTimeoutError) console.log(`gave up after ${error.timeoutMs} ms`);
 * held.release();
 * ```
 */
export class SemaphoreTimeoutError extends SemaphoreError {
  /** The timeout that elapsed, in milliseconds. */
  readonly timeoutMs: number;

  /** @param timeoutMs The timeout that elapsed, in milliseconds. */
  constructor(timeoutMs: number) {
    super('SEMAPHORE_TIMEOUT', `Semaphore acquire timed out after ${timeoutMs} ms`);
    this.name = 'SemaphoreTimeoutError';
    this.timeoutMs = timeoutMs;
  }
}

/**
 * The waiter queue already held `maxWaiters` waiters (code `SEMAPHORE_OVERFLOW`): load shedding instead of
 * an unbounded queue.
 *
 * @example
 * ```ts
 * import { Semaphore, SemaphoreOverflowError } from '@media-server/semaphore';
 *
 * const semaphore = new Semaphore(1, { maxWaiters: 1 });
 * const held = await semaphore.acquire();
 * const queued = semaphore.acquire();
 * const error = await semaphore.acquire().catch((e: unknown) => e);
 * console.log(error instanceof SemaphoreOverflowError); // true: answer 503 rather than queue
 * held.release();
 * (await queued).release();
 * ```
 */
export class SemaphoreOverflowError extends SemaphoreError {
  /** The configured limit. */
  readonly maxWaiters: number;

  /** @param maxWaiters The configured limit. */
  constructor(maxWaiters: number) {
    super('SEMAPHORE_OVERFLOW', `Semaphore waiter queue is full (maxWaiters: ${maxWaiters})`);
    this.name = 'SemaphoreOverflowError';
    this.maxWaiters = maxWaiters;
  }
}

/**
 * `setPermits` shrank the capacity below the weight of a queued waiter, which could then never be granted
 * (code `SEMAPHORE_CAPACITY`). The waiter is removed and rejected with this error; `cause` is a
 * `RangeError` with the numbers.
 *
 * @example
 * ```ts
 * import { Semaphore, SemaphoreCapacityError } from '@media-server/semaphore';
 *
 * const semaphore = new Semaphore(4);
 * const held = await semaphore.acquire();
 * const heavy = semaphore.acquire(4).catch((e: unknown) => e);
 * semaphore.setPermits(2);
 * const error = await heavy;
 * if (error instanceof SemaphoreCapacityError) console.log(error.weight, error.permits); // 4 2
 * held.release();
 * ```
 */
export class SemaphoreCapacityError extends SemaphoreError {
  /** The weight the waiter asked for. */
  readonly weight: number;
  /** The capacity it no longer fits in. */
  readonly permits: number;

  /**
   * @param weight The weight the waiter asked for.
   * @param permits The new capacity.
   */
  constructor(weight: number, permits: number) {
    const detail = new RangeError(`weight ${weight} exceeds the new capacity of ${permits} permits`);
    super('SEMAPHORE_CAPACITY', `Semaphore capacity reduced below a waiter's weight: ${detail.message}`, {
      cause: detail,
    });
    this.name = 'SemaphoreCapacityError';
    this.weight = weight;
    this.permits = permits;
  }
}
