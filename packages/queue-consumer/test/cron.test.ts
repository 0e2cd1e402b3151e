import { expect, test } from 'vitest';
import { QueueConsumer } from '../src/index.ts';
import { delay, sendAll, startTestAws, waitFor } from './helpers.ts';

test('cron mode receives on each tick what free permits allow, and skips ticks while busy', async () => {
  // Prepare
  const aws = await startTestAws([{ name: 'cron' }]);
  const url = aws.url('cron');
  await sendAll(aws.sqs, url, ['1', '2', '3']);
  const seen: string[] = [];
  let running = 0;
  let maxRunning = 0;
  let skipped = 0;
  const consumer = new QueueConsumer({
    sqs: aws.sqs,
    queueUrl: url,
    concurrency: 2,
    schedule: '* * * * * *',
    handler: async (message) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await delay(1500);
      running--;
      seen.push(message.Body ?? '');
    },
  });
  consumer.on('tickSkipped', () => skipped++);
  try {
    // Act
    await consumer.start();
    // Assess
    await waitFor(() => seen.length === 3, 30_000, 'three messages');
    expect(seen.sort()).toEqual(['1', '2', '3']);
    expect(maxRunning).toBeLessThanOrEqual(2);
    expect(skipped).toBeGreaterThan(0);
  } finally {
    await consumer.stop({ graceMs: 3000 });
    await aws.stop();
  }
});
