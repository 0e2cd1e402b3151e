/** Deterministic PRNG (mulberry32): the same seed gives every contender the same handler times. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A handler-time mix: a name and the time of message `i`, ms. */
export interface Mix {
  name: string;
  times: number[];
}

/** Mix A: uniform 5–200 ms. Mix B: 90 % 10 ms, 10 % 500 ms. */
export function makeMixes(count: number, seed: number): Mix[] {
  const a = mulberry32(seed);
  const b = mulberry32(seed + 1);
  return [
    { name: 'A (uniform 5–200 ms)', times: Array.from({ length: count }, () => 5 + a() * 195) },
    {
      name: 'B (90 % 10 ms, 10 % 500 ms)',
      times: Array.from({ length: count }, () => (b() < 0.9 ? 10 : 500)),
    },
  ];
}

/** Makespan of `workers` greedy workers taking jobs in order, each the moment it is free (zero overhead), ms. */
export function idealMakespan(times: readonly number[], workers: number): number {
  const free = new Array<number>(workers).fill(0);
  for (const t of times) {
    let best = 0;
    for (let w = 1; w < workers; w++) if ((free[w] as number) < (free[best] as number)) best = w;
    free[best] = (free[best] as number) + t;
  }
  return Math.max(...free);
}

export function mean(values: readonly number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}
