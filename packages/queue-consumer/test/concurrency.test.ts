import { Semaphore } from '@media-server/semaphore';
import { expect, test } from 'vitest';
import { QueueConsumer } from '../src/index.ts';
import { delay, queueCounts, sendAll, startTestAws, waitFor } from './helpers.ts';

test('never more handlers in flight than permits, over 1,000 messages', async () => {
  // Prepare
  const aws = await startTestAws([{ name: 'many' }]);
  const url = aws.url('many');
  const bodies = Array.from({ length: 1000 }, (_, i) => String(i));
  await sendAll(aws.sqs, url, bodies);
  const semaphore = new Semaphore(8);
  let running = 0;
  let maxRunning = 0;
  let overLimit = 0;
  const done = new Set<string>();
  const consumer = new QueueConsumer({
    sqs: aws.sqs,
    queueUrl: url,
    semaphore,
    handler: async (message) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      if (running > semaphore.permits || consumer.inFlight > semaphore.permits) overLimit++;
      await delay(Number(message.Body) % 3);
      running--;
      done.add(message.Body ?? '');
    },
  });
  try {
    // Act
    await consumer.start();
    await waitFor(() => done.size === 1000, 120_000, '1,000 messages');
    // Assess
    expect(overLimit).toBe(0);
    expect(maxRunning).toBeLessThanOrEqual(8);
    expect(maxRunning).toBeGreaterThan(1);
    await consumer.stop({ graceMs: 5000 });
    expect(await queueCounts(aws.sqs, url)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  } finally {
    await consumer.stop();
    await aws.stop();
  }
});
