/** How failed messages are spaced out. Delays are in milliseconds; SQS rounds visibility to whole seconds. */
export interface BackoffOptions {
  /**
   * `'full'`: random in [0, min(cap, base·2^(n−1))] (AWS "full jitter").
   * `'decorrelated'`: random in [base, min(cap, 3·base·3^(n−2))], a stateless form of AWS "decorrelated
   * jitter" (the previous delay is not stored anywhere, so it is derived from the receive count).
   * Default `'full'`.
   */
  strategy?: 'full' | 'decorrelated' | undefined;
  /** First step, ms. Default 1,000. */
  baseMs?: number | undefined;
  /** Largest delay, ms (SQS allows at most 12 h). Default 900,000 (15 min). */
  capMs?: number | undefined;
  /** Smallest delay, ms, added to every jittered value so that a failure never retries at once. Default 0. */
  minMs?: number | undefined;
}

/** A backoff is either options or your own function from the receive count (1 on first delivery) to ms. */
export type Backoff = BackoffOptions | ((receiveCount: number) => number);

/** SQS limit for a visibility timeout, ms. */
const MAX_VISIBILITY_MS = 43_200_000;

/**
 * Delay before a failed message may be received again, from its `ApproximateReceiveCount`.
 *
 * `computeBackoffMs(3, { baseMs: 1000, capMs: 60_000 })` is somewhere in [0, 4000].
 *
 * @param random - source of numbers in [0, 1); injectable for tests.
 */
export function computeBackoffMs(
  receiveCount: number,
  backoff: Backoff = {},
  random: () => number = Math.random,
): number {
  const n = Math.max(1, Math.floor(receiveCount));
  if (typeof backoff === 'function') return clamp(backoff(n), 0, MAX_VISIBILITY_MS);
  const base = backoff.baseMs ?? 1000;
  const cap = Math.min(backoff.capMs ?? 900_000, MAX_VISIBILITY_MS);
  const min = backoff.minMs ?? 0;
  let delay: number;
  if ((backoff.strategy ?? 'full') === 'full') {
    const ceiling = Math.min(cap, base * 2 ** Math.min(n - 1, 60));
    delay = random() * ceiling;
  } else {
    const previousCeiling = Math.min(cap, base * 3 ** Math.min(Math.max(n - 2, 0), 40));
    const upper = Math.min(cap, previousCeiling * 3);
    delay = n === 1 ? base : base + random() * Math.max(0, upper - base);
  }
  return clamp(min + delay, 0, Math.min(cap + min, MAX_VISIBILITY_MS));
}

/** Backoff in whole seconds, as ChangeMessageVisibility wants it (rounded up, so a non-zero delay stays non-zero). */
export function backoffSeconds(receiveCount: number, backoff?: Backoff, random?: () => number): number {
  return Math.ceil(computeBackoffMs(receiveCount, backoff, random) / 1000);
}

function clamp(value: number, low: number, high: number): number {
  if (!Number.isFinite(value)) return high;
  return Math.min(high, Math.max(low, value));
}
