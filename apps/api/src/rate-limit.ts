import { ApiError } from './errors.ts';

/** Counts events per caller in a sliding window (in this process) and refuses past the limit. */
export class SlidingWindowLimit {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #events = new Map<string, number[]>();

  constructor(limit: number, windowMs: number) {
    this.#limit = limit;
    this.#windowMs = windowMs;
  }

  /** Records one event for `caller`; ApiError RATE_LIMITED (with Retry-After) past the limit. */
  take(caller: string, now: number = Date.now()): void {
    const since = now - this.#windowMs;
    const recent = (this.#events.get(caller) ?? []).filter((at) => at > since);
    if (recent.length >= this.#limit) {
      const retryAfter = Math.max(1, Math.ceil(((recent[0] ?? now) + this.#windowMs - now) / 1000));
      this.#events.set(caller, recent);
      throw new ApiError(
        'RATE_LIMITED',
        `at most ${this.#limit} uploads per hour for this API key; try again in ${retryAfter} s`,
        { headers: { 'retry-after': String(retryAfter) } },
      );
    }
    recent.push(now);
    this.#events.set(caller, recent);
  }
}
