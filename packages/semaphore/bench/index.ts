// Compares @media-server/semaphore with p-limit, async-sema and async-mutex, in one process.
// Run: pnpm --filter @media-server/semaphore bench   (node --expose-gc, on src/ through the source condition)
import { cpus } from 'node:os';
import { Semaphore } from '@media-server/semaphore';
import { Semaphore as MutexSemaphore } from 'async-mutex';
import { Sema } from 'async-sema';
import pLimit from 'p-limit';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  console.error('Run with node --expose-gc (the bench script does).');
  process.exit(1);
}
const collect = gc;

/**
 * CPU time of this process in ms. The machine is shared, so wall time would also count other processes;
 * every measurement here is single-threaded JavaScript, so CPU time is the fairer clock.
 */
function now(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

const WARMUPS = 2;
const REPEATS = 9;
const UNCONTENDED_OPS = 2_000_000;
const TASKS = 10_000;
const WAITERS = 50_000;
const ABORTS = 10_000;
const abortReason = new Error('bench abort');

type Measure = () => Promise<number>;
type Metric = 'uncontended' | 'tasks' | 'heap' | 'abort';
type Library = { name: string } & Partial<Record<Metric, Measure>>;

function opsPerSecond(start: number): number {
  return UNCONTENDED_OPS / ((now() - start) / 1000);
}

const task = async (): Promise<void> => {
  await Promise.resolve();
};

/** Heap bytes per pending waiter: `enqueue` is called WAITERS times while every permit is held. */
async function heapPerWaiter(
  enqueue: () => Promise<unknown>,
  cleanup: (held: Promise<unknown>[]) => Promise<void>,
): Promise<number> {
  const held = new Array<Promise<unknown>>(WAITERS).fill(Promise.resolve());
  collect();
  collect();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < WAITERS; i++) held[i] = enqueue();
  collect();
  collect();
  const after = process.memoryUsage().heapUsed;
  await cleanup(held);
  return (after - before) / WAITERS;
}

// Each library's loops are their own function literals, so no two libraries share inline caches.
const libraries: Library[] = [
  {
    name: '@media-server/semaphore',
    uncontended: async () => {
      const semaphore = new Semaphore(4);
      const start = now();
      for (let i = 0; i < UNCONTENDED_OPS; i++) {
        const permit = await semaphore.acquire();
        permit.release();
      }
      return opsPerSecond(start);
    },
    tasks: async () => {
      const semaphore = new Semaphore(4);
      const start = now();
      const all = new Array<Promise<void>>(TASKS);
      for (let i = 0; i < TASKS; i++) all[i] = semaphore.run(task);
      await Promise.all(all);
      return now() - start;
    },
    heap: () => {
      const semaphore = new Semaphore(1);
      const blocker = semaphore.tryAcquire()!;
      return heapPerWaiter(
        () => semaphore.acquire(),
        async (held) => {
          blocker.release();
          for (const promise of held) ((await promise) as { release(): void }).release();
        },
      );
    },
    abort: async () => {
      const semaphore = new Semaphore(1);
      const blocker = semaphore.tryAcquire()!;
      const controllers = Array.from({ length: ABORTS }, () => new AbortController());
      const waiters = controllers.map((controller) =>
        semaphore.acquire(1, { signal: controller.signal }).catch(() => undefined),
      );
      // Scattered order (stride 7 through the queue), so removal is not always at one end. A shared
      // reason, so that the time is ours and not that of abort() creating 10k DOMExceptions.
      const start = now();
      for (let stride = 0; stride < 7; stride++) {
        for (let i = stride; i < ABORTS; i += 7) controllers[i]!.abort(abortReason);
      }
      await Promise.all(waiters);
      const elapsed = now() - start;
      if (semaphore.pending !== 0) throw new Error('waiters left behind');
      blocker.release();
      return elapsed;
    },
  },
  {
    name: 'p-limit',
    uncontended: async () => {
      const limit = pLimit(4);
      const noop = (): void => {};
      const start = now();
      for (let i = 0; i < UNCONTENDED_OPS; i++) await limit(noop);
      return opsPerSecond(start);
    },
    tasks: async () => {
      const limit = pLimit(4);
      const start = now();
      const all = new Array<Promise<void>>(TASKS);
      for (let i = 0; i < TASKS; i++) all[i] = limit(task);
      await Promise.all(all);
      return now() - start;
    },
    heap: () => {
      const limit = pLimit(1);
      const gate = Promise.withResolvers<void>();
      void limit(() => gate.promise);
      const noop = (): void => {};
      return heapPerWaiter(
        () => limit(noop),
        async (held) => {
          gate.resolve();
          await Promise.all(held);
        },
      );
    },
  },
  {
    name: 'async-sema',
    uncontended: async () => {
      const sema = new Sema(4);
      const start = now();
      for (let i = 0; i < UNCONTENDED_OPS; i++) {
        await sema.acquire();
        sema.release();
      }
      return opsPerSecond(start);
    },
    tasks: async () => {
      const sema = new Sema(4);
      const run = async (): Promise<void> => {
        await sema.acquire();
        try {
          await task();
        } finally {
          sema.release();
        }
      };
      const start = now();
      const all = new Array<Promise<void>>(TASKS);
      for (let i = 0; i < TASKS; i++) all[i] = run();
      await Promise.all(all);
      return now() - start;
    },
    heap: () => {
      const sema = new Sema(1);
      void sema.acquire();
      return heapPerWaiter(
        () => sema.acquire(),
        async (held) => {
          sema.release();
          for (const promise of held) {
            await promise;
            sema.release();
          }
        },
      );
    },
  },
  {
    name: 'async-mutex (Semaphore)',
    uncontended: async () => {
      const semaphore = new MutexSemaphore(4);
      const start = now();
      for (let i = 0; i < UNCONTENDED_OPS; i++) {
        const [, release] = await semaphore.acquire();
        release();
      }
      return opsPerSecond(start);
    },
    tasks: async () => {
      const semaphore = new MutexSemaphore(4);
      const start = now();
      const all = new Array<Promise<void>>(TASKS);
      for (let i = 0; i < TASKS; i++) all[i] = semaphore.runExclusive(task);
      await Promise.all(all);
      return now() - start;
    },
    heap: async () => {
      const semaphore = new MutexSemaphore(1);
      const [, firstRelease] = await semaphore.acquire();
      return heapPerWaiter(
        () => semaphore.acquire(),
        async (held) => {
          firstRelease();
          for (const promise of held) {
            const [, release] = (await promise) as [number, () => void];
            release();
          }
        },
      );
    },
  },
];

/** The floor for any promise-returning acquire: one await of an already resolved promise, nothing else. */
async function awaitFloor(): Promise<number> {
  const start = now();
  for (let i = 0; i < UNCONTENDED_OPS; i++) await Promise.resolve(i);
  return opsPerSecond(start);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

// Metric by metric; within a metric the libraries take turns on every repeat, in a rotating order, so
// that drift of the shared machine and the position in the sequence hit all of them alike. Timed runs are not preceded by gc(): a full GC clears weak
// references embedded in optimized code and deoptimizes it, which would time the JIT, not the library.
const metrics: Metric[] = ['uncontended', 'tasks', 'heap', 'abort'];
const results = new Map<string, Partial<Record<Metric, number>>>(libraries.map((l) => [l.name, {}]));
const floorRuns: number[] = [];
/** Every repeat's uncontended ops/s per library (the libraries ran one after the other in each repeat). */
let uncontendedRuns = new Map<string, number[]>();
for (const metric of metrics) {
  const runs = new Map<string, number[]>();
  if (metric === 'uncontended') uncontendedRuns = runs;
  for (let repeat = 0; repeat < WARMUPS + REPEATS; repeat++) {
    // Each repeat starts with another library, so that none always runs first (or right after the floor).
    const shift = repeat % libraries.length;
    for (const library of [...libraries.slice(shift), ...libraries.slice(0, shift)]) {
      const measure = library[metric];
      if (measure === undefined) continue;
      const value = await measure();
      if (repeat >= WARMUPS) runs.set(library.name, [...(runs.get(library.name) ?? []), value]);
    }
    if (metric === 'uncontended') {
      const value = await awaitFloor();
      if (repeat >= WARMUPS) floorRuns.push(value);
    }
  }
  for (const [name, values] of runs) results.get(name)![metric] = median(values);
}

function format(value: number | undefined, digits: number): string {
  if (value === undefined) return 'n/a';
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

console.log(
  `Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${new Date().toISOString()}`,
);
console.log(`median of ${REPEATS} runs after ${WARMUPS} warm-ups, CPU time\n`);
console.log(
  `| library | uncontended acquire+release (ops/s) | ${TASKS / 1000}k tasks through 4 permits (ms) | heap per pending waiter (B) | abort ${ABORTS / 1000}k waiters (ms) |`,
);
console.log('|---|---:|---:|---:|---:|');
for (const [name, r] of results) {
  console.log(
    `| ${name} | ${format(r.uncontended, 0)} | ${format(r.tasks, 1)} | ${format(r.heap, 0)} | ${format(r.abort, 1)} |`,
  );
}
console.log(`| (floor: \`await Promise.resolve()\` alone) | ${format(median(floorRuns), 0)} | | | |`);

const ours = results.get('@media-server/semaphore')!;
const sema = results.get('async-sema')!;
console.log('\nAgainst async-sema in this run:');
console.log(
  `- uncontended ops/s: ${(ours.uncontended! / sema.uncontended!).toFixed(2)}× (target ≥ 1.25×; the await floor is ${(median(floorRuns) / sema.uncontended!).toFixed(2)}×)`,
);
// The same ratio repeat by repeat (each repeat ran both back to back), so its spread shows in one run.
const oursRuns = uncontendedRuns.get('@media-server/semaphore') ?? [];
const semaRuns = uncontendedRuns.get('async-sema') ?? [];
const ratios = oursRuns.map((value, i) => value / (semaRuns[i] ?? Number.NaN)).sort((a, b) => a - b);
console.log(
  `- uncontended ratio per repeat (min / median / max of ${ratios.length}): ${ratios[0]?.toFixed(2)}× / ${median(ratios).toFixed(2)}× / ${ratios.at(-1)?.toFixed(2)}×; repeats at ≥ 1.25×: ${ratios.filter((r) => r >= 1.25).length} of ${ratios.length}`,
);
console.log(`- 10k tasks time: ${(ours.tasks! / sema.tasks!).toFixed(2)}× (target ≤ 0.85×)`);
console.log(`- heap per waiter: ${ours.heap!.toFixed(0)} B (target ≤ 220 B)`);
