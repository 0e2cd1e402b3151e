import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { QueueConsumer, QueueConsumerError } from '../src/index.ts';
import { queueCounts, sendAll, startTestAws, type TestAws, waitFor } from './helpers.ts';

let aws: TestAws;

beforeAll(async () => {
  aws = await startTestAws([
    { name: 'prefetch' },
    { name: 'prefetch-stop', attributes: { VisibilityTimeout: '60' } },
    { name: 'prefetch-grow' },
  ]);
});

afterAll(async () => {
  await aws?.stop();
});

describe('prefetch', () => {
  test('holds up to concurrency + prefetch messages, runs at most concurrency', async () => {
    // Prepare: 12 messages, 2 slots, 3 prefetched; handlers block until released.
    const url = aws.url('prefetch');
    await sendAll(
      aws.sqs,
      url,
      Array.from({ length: 12 }, (_, i) => `m${i}`),
    );
    let running = 0;
    let maxRunning = 0;
    const gates: Array<() => void> = [];
    const done: string[] = [];
    const consumer = new QueueConsumer({
      sqs: aws.sqs,
      queueUrl: url,
      concurrency: 2,
      prefetch: 3,
      waitTimeSeconds: 1,
      handler: async (message) => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise<void>((resolve) => gates.push(resolve));
        running--;
        done.push(message.Body ?? '');
      },
    });
    await consumer.start();
    try {
      // Act: while both slots are busy, the consumer fills its prefetch and no more.
      await waitFor(() => running === 2 && consumer.inFlight === 5, 20_000, 'two running, three prefetched');
      expect((await queueCounts(aws.sqs, url)).inFlight).toBe(5);
      // Then release handlers one at a time until everything ran.
      while (done.length < 12) {
        await waitFor(() => gates.length > 0, 20_000, 'a running handler');
        gates.shift()?.();
        await waitFor(() => consumer.inFlight <= 5, 20_000, 'bounded hold');
      }
      // Assess
      await waitFor(async () => (await queueCounts(aws.sqs, url)).inFlight === 0, 20_000, 'deletes');
      expect(maxRunning).toBe(2);
      expect(done.sort()).toEqual(Array.from({ length: 12 }, (_, i) => `m${i}`).sort());
    } finally {
      await consumer.stop({ graceMs: 1000 });
    }
  });

  test('stop() hands prefetched messages back at once and lets the running ones finish', async () => {
    // Prepare: 1 slot, 4 prefetched, a handler that takes a while.
    const url = aws.url('prefetch-stop');
    await sendAll(aws.sqs, url, ['a', 'b', 'c', 'd', 'e']);
    let release: (() => void) | undefined;
    const finished: string[] = [];
    const consumer = new QueueConsumer({
      sqs: aws.sqs,
      queueUrl: url,
      concurrency: 1,
      prefetch: 4,
      waitTimeSeconds: 1,
      handler: async (message) => {
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        finished.push(message.Body ?? '');
      },
    });
    const handedBack: string[] = [];
    consumer.on('handedBack', (message, info) => {
      expect(info.reason).toBe('stop');
      handedBack.push(message.Body ?? '');
    });
    await consumer.start();
    await waitFor(
      () => consumer.inFlight === 5 && release !== undefined,
      20_000,
      'one running, four prefetched',
    );
    // Act
    const stopping = consumer.stop({ graceMs: 30_000 });
    await waitFor(() => handedBack.length === 4, 20_000, 'prefetched handed back');
    // Assess: the four are visible again while the running handler still holds its message.
    expect(await queueCounts(aws.sqs, url)).toEqual({ visible: 4, inFlight: 1, delayed: 0 });
    release?.();
    await stopping;
    expect(finished).toHaveLength(1);
    expect(await queueCounts(aws.sqs, url)).toEqual({ visible: 4, inFlight: 0, delayed: 0 });
  });

  test('refuses a negative prefetch and prefetch with a batch handler', () => {
    const base = { sqs: aws.sqs, queueUrl: aws.url('prefetch') };
    expect(() => new QueueConsumer({ ...base, handler: () => {}, prefetch: -1 })).toThrow(QueueConsumerError);
    expect(() => new QueueConsumer({ ...base, batchHandler: () => {}, prefetch: 2 })).toThrow(
      /prefetch works with handler/,
    );
  });

  test('setPermits on the semaphore also resizes what is held: n slots hold n + prefetch messages', async () => {
    // Prepare: 2 slots and 2 prefetched; 20 messages whose handlers wait to be released.
    const url = aws.url('prefetch-grow');
    await sendAll(
      aws.sqs,
      url,
      Array.from({ length: 20 }, (_, i) => `m${i}`),
    );
    let running = 0;
    const gates: Array<() => void> = [];
    const consumer = new QueueConsumer({
      sqs: aws.sqs,
      queueUrl: url,
      concurrency: 2,
      prefetch: 2,
      waitTimeSeconds: 1,
      handler: async (_message, { signal }) => {
        running++;
        await new Promise<void>((resolve) => {
          gates.push(resolve);
          signal.addEventListener('abort', () => resolve(), { once: true });
        });
        running--;
      },
    });
    await consumer.start();
    try {
      await waitFor(() => running === 2 && consumer.inFlight === 4, 20_000, 'two running, two prefetched');

      // Act: six slots.
      consumer.semaphore.setPermits(6);

      // Assess: six run and two wait, with no handler released meanwhile.
      await waitFor(() => running === 6 && consumer.inFlight === 8, 20_000, 'six running, two prefetched');
      expect(gates).toHaveLength(6);
    } finally {
      await consumer.stop({ graceMs: 0 });
    }
  });
});
