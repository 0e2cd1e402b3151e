import { expect, test } from 'vitest';
import { type Permit, Semaphore, SemaphoreAbortError } from './index.ts';

const N = 100_000;
/** What 100k waiters may leave behind: 20 B each, against the > 100 B each they take while queued. */
const TOLERANCE = 2_000_000;
const gc = (globalThis as { gc?: () => void }).gc;

/** Heap in use after a full collection (when the test runs with --expose-gc, as vitest.config.ts asks). */
function heapUsed(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

/**
 * Queues N waiters with their own signals behind a held permit, then aborts all of them or all but the
 * last one.
 */
async function queueAndAbort(
  semaphore: Semaphore,
  keepLast: boolean,
): Promise<{ peak: number; last: Promise<unknown> }> {
  const reason = new Error('test abort');
  const controllers = Array.from({ length: N }, () => new AbortController());
  const waiters = controllers.map((controller) =>
    semaphore.acquire(1, { signal: controller.signal }).then(
      (permit) => permit,
      (error: unknown) => error,
    ),
  );
  const peak = heapUsed();
  expect(semaphore.pending).toBe(N);
  const last = keepLast ? N - 1 : N;
  // Scattered order, so removal is not always at one end of the queue.
  for (let stride = 0; stride < 7; stride++) {
    for (let i = stride; i < last; i += 7) controllers[i]!.abort(reason);
  }
  expect(semaphore.pending).toBe(N - last);
  const results = await Promise.all(waiters.slice(0, last));
  expect(results.every((error) => error instanceof SemaphoreAbortError && error.cause === reason)).toBe(true);
  return { peak, last: waiters[N - 1]! };
}

let warm = false;

/**
 * One untimed round at full size first: code, the microtask queue and Node's promise bookkeeping grow to
 * their high-water marks on the first 100k waiters, which is not something the semaphore keeps.
 */
async function warmUp(): Promise<void> {
  if (warm) return;
  warm = true;
  const semaphore = new Semaphore(1);
  semaphore.tryAcquire();
  await queueAndAbort(semaphore, false);
}

test('aborting 100k waiters leaves pending at 0 and the heap back at its baseline', {
  timeout: 60_000,
}, async () => {
  const semaphore = new Semaphore(1);
  const held = semaphore.tryAcquire()!;
  await warmUp();
  const baseline = heapUsed();

  const { peak } = await queueAndAbort(semaphore, false);
  const after = heapUsed();

  expect(semaphore.pending).toBe(0);
  // The waiters were measurable (> 100 B each) and are gone again (< 1 MB left for 100k of them).
  expect(peak - baseline).toBeGreaterThan(N * 100);
  expect(after - baseline).toBeLessThan(gc ? TOLERANCE : (peak - baseline) / 2);
  held.release();
  (await semaphore.acquire()).release();
  expect(semaphore.available).toBe(1);
});

test('aborting all but the last of 100k waiters compacts the queue', { timeout: 60_000 }, async () => {
  const semaphore = new Semaphore(1);
  const held = semaphore.tryAcquire()!;
  await warmUp();
  const baseline = heapUsed();

  const { peak, last } = await queueAndAbort(semaphore, true);
  const after = heapUsed();

  expect(semaphore.pending).toBe(1);
  expect(peak - baseline).toBeGreaterThan(N * 100);
  expect(after - baseline).toBeLessThan(gc ? TOLERANCE : (peak - baseline) / 2);
  held.release();
  ((await last) as Permit).release();
  await semaphore.idle();
});
