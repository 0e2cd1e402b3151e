import { expect, test } from 'vitest';
import { Semaphore } from './index.ts';

test('keeps its permit count', () => {
  expect(new Semaphore(2).permits).toBe(2);
});
