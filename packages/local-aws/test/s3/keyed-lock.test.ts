import { describe, expect, it } from 'vitest';
import { KeyedLock } from '../../src/keyed-lock.ts';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('KeyedLock', () => {
  it('runs exclusive holders of one key one at a time, in arrival order', async () => {
    // Prepare
    const lock = new KeyedLock();
    const log: string[] = [];
    let inside = 0;
    let most = 0;
    const task = (name: string) =>
      lock.exclusive('k', async () => {
        inside += 1;
        most = Math.max(most, inside);
        log.push(`start ${name}`);
        await new Promise((resolve) => setImmediate(resolve));
        log.push(`end ${name}`);
        inside -= 1;
      });

    // Act
    await Promise.all([task('a'), task('b'), task('c')]);

    // Assess
    expect(most).toBe(1);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(lock.size).toBe(0);
  });

  it('lets shared holders in together, keeps them out while a writer waits, and frees on errors', async () => {
    // Prepare
    const lock = new KeyedLock();
    const gate = deferred();
    const log: string[] = [];
    const reader1 = lock.shared('k', async () => {
      log.push('r1');
      await gate.promise;
    });
    const reader2 = lock.shared('k', async () => {
      log.push('r2');
      await gate.promise;
    });
    const writer = lock.exclusive('k', async () => {
      log.push('w');
      throw new Error('boom');
    });
    const lateReader = lock.shared('k', async () => {
      log.push('r3');
    });
    const otherKey = lock.exclusive('other', async () => {
      log.push('other');
    });

    // Act
    await otherKey;
    const beforeRelease = [...log];
    gate.resolve();
    await Promise.all([reader1, reader2, lateReader]);
    const writerError = await writer.catch((error: Error) => error.message);

    // Assess
    expect(beforeRelease).toEqual(['r1', 'r2', 'other']);
    expect(log).toEqual(['r1', 'r2', 'other', 'w', 'r3']);
    expect(writerError).toBe('boom');
    expect(lock.size).toBe(0);
  });
});
