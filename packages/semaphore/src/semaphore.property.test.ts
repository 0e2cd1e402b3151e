import fc from 'fast-check';
import { expect, test } from 'vitest';
import { type Permit, Semaphore, SemaphoreAbortError, SemaphoreCapacityError } from './index.ts';

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

type Command =
  | { kind: 'acquire'; weight: number; withSignal: boolean }
  | { kind: 'tryAcquire'; weight: number }
  | { kind: 'release'; pick: number; partial: boolean }
  | { kind: 'abort'; pick: number }
  | { kind: 'setPermits'; permits: number };

const MAX = 5;
const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({
    kind: fc.constant('acquire'),
    weight: fc.integer({ min: 1, max: MAX }),
    withSignal: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('tryAcquire'), weight: fc.integer({ min: 1, max: MAX }) }),
  fc.record({ kind: fc.constant('release'), pick: fc.nat(), partial: fc.boolean() }),
  fc.record({ kind: fc.constant('abort'), pick: fc.nat() }),
  fc.record({ kind: fc.constant('setPermits'), permits: fc.integer({ min: 1, max: MAX }) }),
) as fc.Arbitrary<Command>;

interface Waiter {
  id: number;
  weight: number;
  state: 'pending' | 'granted' | 'rejected';
  controller: AbortController | undefined;
  aborted: boolean;
  error?: unknown;
}

interface Held {
  permit: Permit;
  left: number;
}

test('random acquire/release/abort/setPermits sequences keep every guarantee', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: MAX }),
      fc.array(command, { minLength: 5, maxLength: 60, size: 'large' }),
      async (initial, commands) => {
        const semaphore = new Semaphore(initial);
        const waiters: Waiter[] = [];
        const held: Held[] = [];
        const grants: number[] = [];
        let heldWeight = 0;

        const overtaken: string[] = [];
        const grant = (waiter: Waiter, permit: Permit): void => {
          // FIFO: no earlier waiter may still be queued when a later one is granted.
          for (const earlier of waiters) {
            if (earlier.id < waiter.id && earlier.state === 'pending')
              overtaken.push(`${earlier.id}<${waiter.id}`);
          }
          waiter.state = 'granted';
          grants.push(waiter.id);
          held.push({ permit, left: permit.weight });
          heldWeight += permit.weight;
        };

        for (const step of commands) {
          const grantsBefore = grants.length;
          switch (step.kind) {
            case 'acquire': {
              if (step.weight > semaphore.permits) {
                expect(() => semaphore.acquire(step.weight)).toThrow(RangeError);
                break;
              }
              const controller = step.withSignal ? new AbortController() : undefined;
              const waiter: Waiter = {
                id: waiters.length,
                weight: step.weight,
                state: 'pending',
                controller,
                aborted: false,
              };
              waiters.push(waiter);
              semaphore.acquire(step.weight, { signal: controller?.signal }).then(
                (permit) => grant(waiter, permit),
                (error: unknown) => {
                  waiter.state = 'rejected';
                  waiter.error = error;
                },
              );
              break;
            }
            case 'tryAcquire': {
              if (step.weight > semaphore.permits) {
                expect(() => semaphore.tryAcquire(step.weight)).toThrow(RangeError);
                break;
              }
              const free = semaphore.pending === 0 && semaphore.available >= step.weight;
              const permit = semaphore.tryAcquire(step.weight);
              expect(permit !== undefined).toBe(free);
              if (permit) {
                held.push({ permit, left: step.weight });
                heldWeight += step.weight;
              }
              break;
            }
            case 'release': {
              if (held.length === 0) break;
              const index = step.pick % held.length;
              const entry = held[index]!;
              if (step.partial && entry.left > 1) {
                entry.permit.release(1);
                entry.left -= 1;
                heldWeight -= 1;
              } else {
                entry.permit.release();
                entry.permit.release(); // a second full release is a no-op
                heldWeight -= entry.left;
                held.splice(index, 1);
              }
              break;
            }
            case 'abort': {
              const abortable = waiters.filter((w) => w.state === 'pending' && w.controller && !w.aborted);
              if (abortable.length === 0) break;
              const waiter = abortable[step.pick % abortable.length]!;
              waiter.aborted = true;
              waiter.controller!.abort();
              break;
            }
            case 'setPermits':
              semaphore.setPermits(step.permits);
              break;
          }
          await settle();

          expect(overtaken).toEqual([]);
          const pending = waiters.filter((w) => w.state === 'pending');
          expect(semaphore.pending).toBe(pending.length);
          expect(semaphore.permits - semaphore.available).toBe(heldWeight);
          // Grants never exceed the capacity.
          if (grants.length > grantsBefore) expect(heldWeight).toBeLessThanOrEqual(semaphore.permits);
          // Nothing waits that could be granted now (no stuck queue), and every waiter fits the capacity.
          if (pending.length > 0) expect(pending[0]!.weight).toBeGreaterThan(semaphore.available);
          for (const waiter of pending) expect(waiter.weight).toBeLessThanOrEqual(semaphore.permits);
        }

        // Grants happened in queue order.
        expect(grants).toEqual([...grants].sort((a, b) => a - b));
        for (const waiter of waiters) {
          if (waiter.state !== 'rejected') continue;
          if (waiter.aborted) expect(waiter.error).toBeInstanceOf(SemaphoreAbortError);
          else expect(waiter.error).toBeInstanceOf(SemaphoreCapacityError);
        }

        // Release everything; the queue drains and the semaphore ends as it started.
        for (let round = 0; round <= waiters.length && (held.length > 0 || semaphore.pending > 0); round++) {
          for (const entry of held.splice(0)) entry.permit.release();
          heldWeight = 0;
          await settle();
        }
        expect(semaphore.pending).toBe(0);
        expect(semaphore.available).toBe(semaphore.permits);
        await semaphore.idle();
      },
    ),
    {
      numRuns: 150,
      // The shortest overtaking scenario, kept as a regression example.
      examples: [
        [
          4,
          [
            { kind: 'tryAcquire', weight: 2 },
            { kind: 'tryAcquire', weight: 2 },
            { kind: 'acquire', weight: 3, withSignal: false },
            { kind: 'acquire', weight: 1, withSignal: true },
            { kind: 'release', pick: 0, partial: false },
          ],
        ],
        // A waiter rejected by setPermits must be seen settled before the one behind it is granted.
        [
          1,
          [
            { kind: 'acquire', weight: 1, withSignal: false },
            { kind: 'setPermits', permits: 5 },
            { kind: 'acquire', weight: 5, withSignal: false },
            { kind: 'acquire', weight: 1, withSignal: false },
            { kind: 'setPermits', permits: 2 },
          ],
        ],
      ],
    },
  );
});
