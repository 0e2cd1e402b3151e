import { getEventListeners } from 'node:events';
import { describe, expect, test } from 'vitest';
import {
  type Permit,
  Semaphore,
  SemaphoreAbortError,
  SemaphoreCapacityError,
  SemaphoreError,
  SemaphoreOverflowError,
  SemaphoreTimeoutError,
} from './index.ts';

/** Lets every queued promise reaction run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Records the order in which promises settle. */
function track<T>(log: string[], label: string, promise: Promise<T>): Promise<T> {
  return promise.then(
    (value) => {
      log.push(label);
      return value;
    },
    (error: unknown) => {
      log.push(`${label}!`);
      throw error;
    },
  );
}

describe('constructor', () => {
  test('starts with every permit free and nothing queued', () => {
    const semaphore = new Semaphore(3);
    expect([semaphore.permits, semaphore.available, semaphore.pending]).toEqual([3, 3, 0]);
  });

  test.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('rejects %s permits', (permits) => {
    expect(() => new Semaphore(permits)).toThrow(RangeError);
  });

  test.each([0, -2, 0.5, Number.NaN])('rejects maxWaiters %s', (maxWaiters) => {
    expect(() => new Semaphore(1, { maxWaiters })).toThrow(RangeError);
  });
});

describe('acquire and Permit', () => {
  test('takes and gives back permits', async () => {
    const semaphore = new Semaphore(3);
    const permit = await semaphore.acquire(2);
    expect(permit.weight).toBe(2);
    expect(semaphore.available).toBe(1);
    permit.release();
    expect(semaphore.available).toBe(3);
  });

  test('a second full release is a no-op', async () => {
    const semaphore = new Semaphore(2);
    const permit = await semaphore.acquire();
    const other = await semaphore.acquire();
    permit.release();
    permit.release();
    expect(semaphore.available).toBe(1);
    other.release();
  });

  test('releases part of a permit, then the rest', async () => {
    const semaphore = new Semaphore(5);
    const permit = await semaphore.acquire(4);
    permit.release(1);
    expect(semaphore.available).toBe(2);
    permit.release();
    expect(semaphore.available).toBe(5);
  });

  test.each([5, 0, -1, 1.5, Number.NaN])('release(%s) of a 4-permit handle throws RangeError', async (n) => {
    const semaphore = new Semaphore(5);
    const permit = await semaphore.acquire(4);
    expect(() => permit.release(n)).toThrow(RangeError);
    expect(semaphore.available).toBe(1);
  });

  test('release(n) after a full release throws', async () => {
    const semaphore = new Semaphore(1);
    const permit = await semaphore.acquire();
    permit.release();
    expect(() => permit.release(1)).toThrow(RangeError);
    expect(semaphore.available).toBe(1);
  });

  test.each([0, -1, 1.5, Number.NaN, 4])('acquire(%s) throws RangeError synchronously', (weight) => {
    const semaphore = new Semaphore(3);
    expect(() => semaphore.acquire(weight)).toThrow(RangeError);
    expect(semaphore.pending).toBe(0);
  });

  test.each([-1, Number.NaN, 2 ** 31])('timeoutMs %s throws RangeError synchronously', (timeoutMs) => {
    const semaphore = new Semaphore(1);
    expect(() => semaphore.acquire(1, { timeoutMs })).toThrow(RangeError);
  });

  test('waiters are granted as permits come back', async () => {
    const semaphore = new Semaphore(1);
    const first = await semaphore.acquire();
    const log: string[] = [];
    const second = track(log, 'second', semaphore.acquire());
    await settle();
    expect(log).toEqual([]);
    expect(semaphore.pending).toBe(1);
    first.release();
    (await second).release();
    expect(log).toEqual(['second']);
    expect(semaphore.available).toBe(1);
  });

  test('releases with using at scope exit', async () => {
    const semaphore = new Semaphore(1);
    {
      using permit = await semaphore.acquire();
      expect(permit.weight).toBe(1);
      expect(semaphore.available).toBe(0);
    }
    expect(semaphore.available).toBe(1);
  });
});

describe('strict FIFO', () => {
  test('a heavy waiter is not overtaken by light ones that would fit', async () => {
    const semaphore = new Semaphore(4);
    const held = semaphore.tryAcquire(3)!;
    const log: string[] = [];
    const heavy = track(log, 'heavy', semaphore.acquire(4));
    const light = [1, 2, 3].map((i) => track(log, `light${i}`, semaphore.acquire(1)));
    await settle();
    // One permit is free, yet no light waiter may pass the heavy one.
    expect(log).toEqual([]);
    expect(semaphore.available).toBe(1);
    held.release();
    const heavyPermit = await heavy;
    await settle();
    expect(log).toEqual(['heavy']);
    heavyPermit.release();
    const permits = await Promise.all(light);
    expect(log).toEqual(['heavy', 'light1', 'light2', 'light3']);
    for (const permit of permits) permit.release();
    expect(semaphore.available).toBe(4);
  });

  test('tryAcquire does not overtake a queued waiter', async () => {
    const semaphore = new Semaphore(3);
    const held = semaphore.tryAcquire(2)!;
    const waiter = semaphore.acquire(2);
    expect(semaphore.available).toBe(1);
    expect(semaphore.tryAcquire(1)).toBeUndefined();
    expect(semaphore.tryRun(() => 1)).toBeUndefined();
    held.release();
    (await waiter).release();
    expect(semaphore.tryAcquire(3)).toBeDefined();
  });

  test('tryAcquire returns undefined when not enough permits are free', () => {
    const semaphore = new Semaphore(2);
    const permit = semaphore.tryAcquire(2);
    expect(permit?.weight).toBe(2);
    expect(semaphore.tryAcquire()).toBeUndefined();
    expect(() => semaphore.tryAcquire(3)).toThrow(RangeError);
  });
});

describe('run, tryRun, limit', () => {
  test('run returns the result and releases', async () => {
    const semaphore = new Semaphore(2);
    const result = await semaphore.run(async () => {
      expect(semaphore.available).toBe(1);
      return 42;
    });
    expect(result).toBe(42);
    expect(semaphore.available).toBe(2);
  });

  test('run releases when fn throws, synchronously or not', async () => {
    const semaphore = new Semaphore(1);
    await expect(
      semaphore.run(() => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
    await expect(semaphore.run(() => Promise.reject(new Error('async')))).rejects.toThrow('async');
    expect(semaphore.available).toBe(1);
  });

  test('run holds its weight and passes the signal to fn', async () => {
    const semaphore = new Semaphore(3);
    const controller = new AbortController();
    const seen = await semaphore.run(
      (signal) => {
        expect(semaphore.available).toBe(1);
        return signal;
      },
      { weight: 2, signal: controller.signal },
    );
    expect(seen).toBe(controller.signal);
    expect(semaphore.available).toBe(3);
  });

  test('queued run calls fn only once it holds the permits', async () => {
    const semaphore = new Semaphore(1);
    const held = semaphore.tryAcquire()!;
    let calls = 0;
    const result = semaphore.run(() => ++calls);
    await settle();
    expect(calls).toBe(0);
    held.release();
    expect(await result).toBe(1);
    expect(semaphore.available).toBe(1);
  });

  test('run throws RangeError synchronously for a bad weight', () => {
    const semaphore = new Semaphore(2);
    expect(() => semaphore.run(() => 1, { weight: 3 })).toThrow(RangeError);
    expect(() => semaphore.run(() => 1, { weight: 0 })).toThrow(RangeError);
  });

  test('tryRun skips when busy and runs when free', async () => {
    const semaphore = new Semaphore(1);
    const gate = Promise.withResolvers<void>();
    const running = semaphore.tryRun(() => gate.promise);
    expect(running).toBeDefined();
    let called = false;
    expect(
      semaphore.tryRun(() => {
        called = true;
      }),
    ).toBeUndefined();
    expect(called).toBe(false);
    gate.resolve();
    await running;
    expect(await semaphore.tryRun(() => 'ran')).toBe('ran');
    expect(semaphore.available).toBe(1);
  });

  test('limit caps concurrency and forwards arguments', async () => {
    const semaphore = new Semaphore(2);
    let active = 0;
    let peak = 0;
    const double = semaphore.limit(async (x: number) => {
      active++;
      peak = Math.max(peak, active);
      await settle();
      active--;
      return x * 2;
    });
    const results = await Promise.all([1, 2, 3, 4, 5].map((x) => double(x)));
    expect(results).toEqual([2, 4, 6, 8, 10]);
    expect(peak).toBe(2);
    expect(semaphore.available).toBe(2);
  });

  test('limit with a weight, and its RangeError', async () => {
    const semaphore = new Semaphore(3);
    expect(() => semaphore.limit(() => 1, { weight: 4 })).toThrow(RangeError);
    const heavy = semaphore.limit(() => semaphore.available, { weight: 2 });
    expect(await heavy()).toBe(1);
    semaphore.setPermits(1);
    expect(() => heavy()).toThrow(RangeError);
  });
});

describe('setPermits', () => {
  test('growing wakes waiters', async () => {
    const semaphore = new Semaphore(1);
    const held = semaphore.tryAcquire()!;
    const waiters = [semaphore.acquire(), semaphore.acquire()];
    semaphore.setPermits(3);
    const permits = await Promise.all(waiters);
    expect(semaphore.available).toBe(0);
    held.release();
    for (const permit of permits) permit.release();
    expect([semaphore.permits, semaphore.available]).toEqual([3, 3]);
  });

  test('shrinking takes effect as permits come back', async () => {
    const semaphore = new Semaphore(3);
    const permits = [semaphore.tryAcquire()!, semaphore.tryAcquire()!, semaphore.tryAcquire()!];
    semaphore.setPermits(1);
    expect(semaphore.available).toBe(-2);
    const log: string[] = [];
    const waiter = track(log, 'waiter', semaphore.acquire());
    permits[0]!.release();
    permits[1]!.release();
    await settle();
    expect(log).toEqual([]);
    permits[2]!.release();
    (await waiter).release();
    expect(semaphore.available).toBe(1);
  });

  test('rejects queued waiters heavier than the new capacity, and the queue moves on', async () => {
    const semaphore = new Semaphore(4);
    const held = semaphore.tryAcquire(4)!;
    const heavy = semaphore.acquire(3);
    const light = semaphore.acquire(2, { signal: new AbortController().signal });
    const heavyTimed = semaphore.acquire(4, { timeoutMs: 60_000 });
    semaphore.setPermits(2);
    const error = await heavy.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SemaphoreCapacityError);
    expect(error).toMatchObject({ code: 'SEMAPHORE_CAPACITY', weight: 3, permits: 2 });
    expect((error as Error).cause).toBeInstanceOf(RangeError);
    await expect(heavyTimed).rejects.toBeInstanceOf(SemaphoreCapacityError);
    expect(semaphore.pending).toBe(1);
    held.release();
    (await light).release();
    expect(semaphore.available).toBe(2);
  });

  test.each([0, -1, 2.5])('rejects %s', (permits) => {
    expect(() => new Semaphore(1).setPermits(permits)).toThrow(RangeError);
  });
});

describe('idle and drained', () => {
  test('resolve at once when already so', async () => {
    const semaphore = new Semaphore(1);
    await semaphore.idle();
    await semaphore.drained();
  });

  test('drained waits for the queue, idle also for the holders', async () => {
    const semaphore = new Semaphore(1);
    const first = semaphore.tryAcquire()!;
    const second = semaphore.acquire();
    const log: string[] = [];
    void track(log, 'drained', semaphore.drained());
    void track(log, 'idle', semaphore.idle());
    await settle();
    expect(log).toEqual([]);
    first.release();
    const permit = await second;
    await settle();
    expect(log).toEqual(['drained']);
    permit.release();
    await settle();
    expect(log).toEqual(['drained', 'idle']);
  });

  test('drained resolves when the last waiter is aborted', async () => {
    const semaphore = new Semaphore(1);
    semaphore.tryAcquire();
    const controller = new AbortController();
    const waiter = semaphore.acquire(1, { signal: controller.signal }).catch(() => undefined);
    const drained = semaphore.drained();
    controller.abort();
    await waiter;
    await drained;
    expect(semaphore.pending).toBe(0);
  });
});

describe('abort, timeout, overflow', () => {
  test('abort removes the waiter and rejects with the reason as cause', async () => {
    const semaphore = new Semaphore(1);
    const held = semaphore.tryAcquire()!;
    const controller = new AbortController();
    const waiter = semaphore.acquire(1, { signal: controller.signal });
    expect(semaphore.pending).toBe(1);
    const reason = new Error('stop');
    controller.abort(reason);
    const error = await waiter.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SemaphoreAbortError);
    expect(error).toBeInstanceOf(SemaphoreError);
    expect(error).toMatchObject({ code: 'SEMAPHORE_ABORTED', name: 'SemaphoreAbortError', cause: reason });
    expect(semaphore.pending).toBe(0);
    held.release();
    expect(semaphore.available).toBe(1);
  });

  test('an already aborted signal rejects even when permits are free', async () => {
    const semaphore = new Semaphore(1);
    const signal = AbortSignal.abort('gone');
    await expect(semaphore.acquire(1, { signal })).rejects.toMatchObject({ cause: 'gone' });
    await expect(semaphore.run(() => 1, { signal })).rejects.toBeInstanceOf(SemaphoreAbortError);
    expect(semaphore.available).toBe(1);
  });

  test('aborting the blocking head waiter lets the next ones through', async () => {
    const semaphore = new Semaphore(2);
    const held = semaphore.tryAcquire()!;
    const controller = new AbortController();
    const heavy = semaphore.acquire(2, { signal: controller.signal }).catch((e: unknown) => e);
    const light = semaphore.acquire(1);
    controller.abort();
    expect(await heavy).toBeInstanceOf(SemaphoreAbortError);
    (await light).release();
    held.release();
    expect(semaphore.available).toBe(2);
  });

  test('run rejects with the abort error and never calls fn', async () => {
    const semaphore = new Semaphore(1);
    semaphore.tryAcquire();
    const controller = new AbortController();
    let called = false;
    const result = semaphore.run(
      () => {
        called = true;
      },
      { signal: controller.signal },
    );
    controller.abort();
    await expect(result).rejects.toBeInstanceOf(SemaphoreAbortError);
    expect(called).toBe(false);
    expect(semaphore.available).toBe(0);
  });

  test('timeout removes the waiter', async () => {
    const semaphore = new Semaphore(1);
    const held = semaphore.tryAcquire()!;
    const error = await semaphore.acquire(1, { timeoutMs: 5 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SemaphoreTimeoutError);
    expect(error).toMatchObject({ code: 'SEMAPHORE_TIMEOUT', timeoutMs: 5 });
    expect(semaphore.pending).toBe(0);
    held.release();
    expect(semaphore.available).toBe(1);
  });

  test('a granted waiter with a timeout is not rejected later', async () => {
    const semaphore = new Semaphore(1);
    const held = semaphore.tryAcquire()!;
    const waiter = semaphore.acquire(1, { timeoutMs: 5 });
    held.release();
    const permit = await waiter;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(semaphore.available).toBe(0);
    permit.release();
  });

  test('maxWaiters overflow rejects with SemaphoreOverflowError', async () => {
    const semaphore = new Semaphore(1, { maxWaiters: 2 });
    const held = semaphore.tryAcquire()!;
    const waiters = [semaphore.acquire(), semaphore.acquire()];
    const error = await semaphore.acquire().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SemaphoreOverflowError);
    expect(error).toMatchObject({ code: 'SEMAPHORE_OVERFLOW', maxWaiters: 2 });
    await expect(semaphore.run(() => 1)).rejects.toBeInstanceOf(SemaphoreOverflowError);
    expect(semaphore.pending).toBe(2);
    held.release();
    for (const waiter of waiters) (await waiter).release();
  });
});

describe('abort listeners', () => {
  test('are removed when waiters are granted, aborted elsewhere or timed out', async () => {
    const semaphore = new Semaphore(1);
    const longLived = new AbortController();
    const signal = longLived.signal;
    for (let i = 0; i < 200; i++) {
      const held = semaphore.tryAcquire()!;
      const granted = semaphore.acquire(1, { signal });
      const timedOut = semaphore.acquire(1, { signal, timeoutMs: 0 }).catch(() => undefined);
      expect(getEventListeners(signal, 'abort').length).toBe(2);
      await timedOut;
      held.release();
      (await granted).release();
    }
    const local = new AbortController();
    const held = semaphore.tryAcquire()!;
    const last = semaphore.acquire(1, { signal });
    const other = semaphore.acquire(1, { signal: local.signal }).catch(() => undefined);
    local.abort();
    await other;
    expect(getEventListeners(signal, 'abort').length).toBe(1);
    held.release();
    (await last).release();
    expect(getEventListeners(signal, 'abort').length).toBe(0);
    expect(getEventListeners(local.signal, 'abort').length).toBe(0);
    expect([semaphore.pending, semaphore.available]).toEqual([0, 1]);
  });
});

test('Permit is a structural interface', () => {
  const permit: Permit | undefined = new Semaphore(1).tryAcquire();
  expect(typeof permit?.[Symbol.dispose]).toBe('function');
});
