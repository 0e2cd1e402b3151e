import { afterEach, expect, test, vi } from 'vitest';
import { TypedEventEmitter } from './typed-event-emitter.ts';

interface Events {
  tick: [n: number];
  error: [error: Error];
}

afterEach(() => {
  vi.restoreAllMocks();
});

test('on/once/off deliver typed arguments', () => {
  const emitter = new TypedEventEmitter<Events>();
  const seen: number[] = [];
  const off = emitter.on('tick', (n) => seen.push(n));
  emitter.once('tick', (n) => seen.push(n * 10));
  emitter.emit('tick', 1);
  emitter.emit('tick', 2);
  off();
  expect(emitter.emit('tick', 3)).toBe(false);
  expect(seen).toEqual([1, 10, 2]);
});

test('an error without listeners and a throwing listener never throw out of emit', () => {
  const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
  const emitter = new TypedEventEmitter<Events>();
  expect(() => emitter.emit('error', new Error('boom'))).not.toThrow();
  emitter.on('tick', () => {
    throw new Error('listener bug');
  });
  const after: number[] = [];
  emitter.on('tick', (n) => after.push(n));
  expect(() => emitter.emit('tick', 7)).not.toThrow();
  expect(after).toEqual([7]);
  expect(logged).toHaveBeenCalledTimes(2);
});
