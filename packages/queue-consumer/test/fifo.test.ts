import { expect, test } from 'vitest';
import { QueueConsumer } from '../src/index.ts';
import { delay, sendAll, startTestAws, waitFor } from './helpers.ts';

test('FIFO: one message per group at a time, each group in order, groups in parallel, also across a retry', async () => {
  // Prepare: 4 groups × 8 messages, interleaved; message a3 fails on its first delivery.
  const aws = await startTestAws([
    { name: 'jobs.fifo', attributes: { FifoQueue: 'true', VisibilityTimeout: '10' } },
  ]);
  const url = aws.url('jobs.fifo');
  const groups = ['a', 'b', 'c', 'd'];
  const bodies: string[] = [];
  for (let i = 0; i < 8; i++) for (const g of groups) bodies.push(`${g}${i}`);
  await sendAll(aws.sqs, url, bodies, (i) => (bodies[i] ?? '').charAt(0));
  const order = new Map<string, string[]>(groups.map((g) => [g, []]));
  const runningGroups = new Set<string>();
  let sameGroupOverlap = 0;
  let maxParallel = 0;
  let failedOnce = false;
  const consumer = new QueueConsumer({
    sqs: aws.sqs,
    queueUrl: url,
    concurrency: 6,
    // Short polls so a group freed by a delete is seen at once (local-aws does not wake parked long polls on a FIFO delete yet).
    waitTimeSeconds: 1,
    backoff: () => 1000,
    handler: async (message) => {
      const body = message.Body ?? '';
      const group = body.charAt(0);
      if (runningGroups.has(group)) sameGroupOverlap++;
      runningGroups.add(group);
      maxParallel = Math.max(maxParallel, runningGroups.size);
      await delay(5 + (body.charCodeAt(1) % 4) * 5);
      runningGroups.delete(group);
      if (body === 'a3' && !failedOnce) {
        failedOnce = true;
        throw new Error('first try fails');
      }
      order.get(group)?.push(body);
    },
  });
  try {
    // Act
    await consumer.start();
    await waitFor(() => [...order.values()].every((list) => list.length === 8), 60_000, 'all groups');
    // Assess
    expect(sameGroupOverlap).toBe(0);
    expect(maxParallel).toBeGreaterThan(1);
    for (const g of groups) expect(order.get(g)).toEqual(Array.from({ length: 8 }, (_, i) => `${g}${i}`));
  } finally {
    await consumer.stop({ graceMs: 1000 });
    await aws.stop();
  }
});
