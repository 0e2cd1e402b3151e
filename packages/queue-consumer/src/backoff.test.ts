import { describe, expect, test } from 'vitest';
import { backoffSeconds, computeBackoffMs } from './backoff.ts';

describe('computeBackoffMs', () => {
  test('full jitter stays within [0, base·2^(n−1)] and the cap', () => {
    // Prepare
    const options = { baseMs: 1000, capMs: 10_000 };
    // Act
    const highs = [1, 2, 3, 4, 5, 10].map((n) => computeBackoffMs(n, options, () => 0.999_999));
    const lows = [1, 5].map((n) => computeBackoffMs(n, options, () => 0));
    // Assess
    expect(highs.map(Math.round)).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
    expect(lows).toEqual([0, 0]);
  });

  test('minMs is a floor added to the jittered value', () => {
    expect(computeBackoffMs(3, { baseMs: 100, minMs: 500 }, () => 0)).toBe(500);
    expect(computeBackoffMs(3, { baseMs: 100, minMs: 500 }, () => 0.5)).toBe(700);
  });

  test('decorrelated jitter starts at base and grows by up to 3× per receive, capped', () => {
    const options = { strategy: 'decorrelated' as const, baseMs: 1000, capMs: 20_000 };
    expect(computeBackoffMs(1, options, () => 0.5)).toBe(1000);
    expect(computeBackoffMs(2, options, () => 0)).toBe(1000);
    expect(Math.round(computeBackoffMs(2, options, () => 0.999_999))).toBe(3000);
    expect(Math.round(computeBackoffMs(3, options, () => 0.999_999))).toBe(9000);
    expect(Math.round(computeBackoffMs(9, options, () => 0.999_999))).toBe(20_000);
  });

  test('a function backoff is clamped to the SQS limit and never negative', () => {
    expect(computeBackoffMs(2, (n) => n * 1500)).toBe(3000);
    expect(computeBackoffMs(2, () => -5)).toBe(0);
    expect(computeBackoffMs(2, () => Number.POSITIVE_INFINITY)).toBe(43_200_000);
  });

  test('rises with the receive count on average (full jitter)', () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const mean = (n: number) => {
      let sum = 0;
      for (let i = 0; i < 200; i++) sum += computeBackoffMs(n, { baseMs: 100 }, random);
      return sum / 200;
    };
    expect(mean(4)).toBeGreaterThan(mean(1) * 3);
  });
});

describe('backoffSeconds', () => {
  test('rounds up so a non-zero delay never becomes 0', () => {
    expect(backoffSeconds(1, () => 1)).toBe(1);
    expect(backoffSeconds(1, () => 0)).toBe(0);
    expect(backoffSeconds(1, () => 2001)).toBe(3);
  });
});
