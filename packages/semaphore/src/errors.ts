/** What went wrong, for callers that branch on it. */
export type SemaphoreErrorCode =
  | 'SEMAPHORE_ABORTED'
  | 'SEMAPHORE_TIMEOUT'
  | 'SEMAPHORE_OVERFLOW'
  | 'SEMAPHORE_CAPACITY';

/** Base class of every error a {@link Semaphore} rejects with. Invalid arguments throw plain `RangeError`s. */
export class SemaphoreError extends Error {
  /** Machine-readable reason. */
  readonly code: SemaphoreErrorCode;

  constructor(code: SemaphoreErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SemaphoreError';
    this.code = code;
  }
}

/** The `signal` passed to `acquire`/`run` aborted before a permit was granted. `cause` is `signal.reason`. */
export class SemaphoreAbortError extends SemaphoreError {
  constructor(reason: unknown) {
    super('SEMAPHORE_ABORTED', 'Semaphore acquire aborted', { cause: reason });
    this.name = 'SemaphoreAbortError';
  }
}

/** No permit was granted within `timeoutMs`. */
export class SemaphoreTimeoutError extends SemaphoreError {
  /** The timeout that elapsed, in milliseconds. */
  readonly timeoutMs: number;

  constructor(timeoutMs: number) {
    super('SEMAPHORE_TIMEOUT', `Semaphore acquire timed out after ${timeoutMs} ms`);
    this.name = 'SemaphoreTimeoutError';
    this.timeoutMs = timeoutMs;
  }
}

/** The waiter queue already held `maxWaiters` waiters. */
export class SemaphoreOverflowError extends SemaphoreError {
  /** The configured limit. */
  readonly maxWaiters: number;

  constructor(maxWaiters: number) {
    super('SEMAPHORE_OVERFLOW', `Semaphore waiter queue is full (maxWaiters: ${maxWaiters})`);
    this.name = 'SemaphoreOverflowError';
    this.maxWaiters = maxWaiters;
  }
}

/**
 * `setPermits` shrank the capacity below the weight of a queued waiter, which could then never be granted.
 * The waiter is removed and rejected with this error; `cause` is a `RangeError` with the numbers.
 */
export class SemaphoreCapacityError extends SemaphoreError {
  /** The weight the waiter asked for. */
  readonly weight: number;
  /** The capacity it no longer fits in. */
  readonly permits: number;

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
