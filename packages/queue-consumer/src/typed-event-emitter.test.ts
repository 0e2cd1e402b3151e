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

test('an error without listeners and a throwing listener never throw out of emit: both become process warnings, nothing is written to the console', async () => {
  // Prepare
  const consoleCalls = [
    vi.spyOn(console, 'error').mockImplementation(() => {}),
    vi.spyOn(console, 'warn').mockImplementation(() => {}),
    vi.spyOn(console, 'log').mockImplementation(() => {}),
  ];
  const warnings: Error[] = [];
  const onWarning = (warning: Error): void => {
    if (warning.name === 'TypedEventEmitterWarning') warnings.push(warning);
  };
  process.on('warning', onWarning);
  const emitter = new TypedEventEmitter<Events>();
  const unhandled = new Error('boom');
  const listenerBug = new Error('listener bug');
  emitter.on('tick', () => {
    throw listenerBug;
  });
  const after: number[] = [];
  emitter.on('tick', (n) => after.push(n));

  try {
    // Act
    expect(() => emitter.emit('error', unhandled)).not.toThrow();
    expect(() => emitter.emit('tick', 7)).not.toThrow();
    await vi.waitFor(() => expect(warnings).toHaveLength(2), { timeout: 10_000 });

    // Assess
    expect(after).toEqual([7]);
    expect(warnings.map((warning) => [warning.message, warning.cause])).toEqual([
      ["'error' event with no listener", unhandled],
      ["a listener of 'tick' threw", listenerBug],
    ]);
    for (const spy of consoleCalls) expect(spy).not.toHaveBeenCalled();
  } finally {
    process.off('warning', onWarning);
  }
});
