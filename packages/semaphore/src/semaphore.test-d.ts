import { describe, expectTypeOf, test } from 'vitest';
import { type Permit, Semaphore } from './index.ts';

const semaphore = new Semaphore(2);

describe('Semaphore.run', () => {
  test('resolves to what the function returns, unwrapping a promise', () => {
    expectTypeOf(semaphore.run(() => 1)).toEqualTypeOf<Promise<number>>();
    expectTypeOf(semaphore.run(async () => 'x')).toEqualTypeOf<Promise<string>>();
    expectTypeOf(semaphore.run((signal) => signal)).toEqualTypeOf<Promise<AbortSignal | undefined>>();
  });

  test('takes only the documented options', () => {
    semaphore.run(() => 1, { weight: 2, timeoutMs: 10, signal: AbortSignal.timeout(5) });
    // @ts-expect-error: no such option
    semaphore.run(() => 1, { priority: 1 });
  });
});

describe('Semaphore.limit', () => {
  test('keeps the parameter list and resolves to the unwrapped result', () => {
    const fetchSize = semaphore.limit(async (url: string, retries?: number) => url.length + (retries ?? 0));
    expectTypeOf(fetchSize).toEqualTypeOf<(url: string, retries?: number) => Promise<number>>();
    // @ts-expect-error: the wrapped function takes a string
    fetchSize(1);
  });

  test('a synchronous function becomes asynchronous', () => {
    const double = semaphore.limit((n: number) => n * 2, { weight: 1 });
    expectTypeOf(double).returns.toEqualTypeOf<Promise<number>>();
  });
});

describe('permits', () => {
  test('acquire resolves to a disposable Permit, tryAcquire may return undefined, tryRun may skip', () => {
    expectTypeOf(semaphore.acquire()).toEqualTypeOf<Promise<Permit>>();
    expectTypeOf(semaphore.tryAcquire()).toEqualTypeOf<Permit | undefined>();
    expectTypeOf(semaphore.tryRun(() => 1)).toEqualTypeOf<Promise<number> | undefined>();
    expectTypeOf<Permit>().toExtend<Disposable>();
    expectTypeOf<Permit['weight']>().toEqualTypeOf<number>();
  });
});
