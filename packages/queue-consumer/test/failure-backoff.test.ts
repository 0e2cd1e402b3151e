import { expect, test } from 'vitest';
import { QueueConsumer } from '../src/index.ts';
import { receiveSome, sendAll, startTestAws } from './helpers.ts';

test('a failing message comes back after its backoff with a rising receive count, then the redrive policy moves it to the DLQ', async () => {
  // Prepare
  const aws = await startTestAws([{ name: 'work', deadLetter: { name: 'work-dlq', maxReceiveCount: 3 } }]);
  const url = aws.url('work');
  const attempts: Array<{ receiveCount: number; at: number }> = [];
  const handedBack: number[] = [];
  const consumer = new QueueConsumer({
    sqs: aws.sqs,
    queueUrl: url,
    concurrency: 2,
    backoff: () => 1000,
    handler: (_message, { receiveCount }) => {
      attempts.push({ receiveCount, at: Date.now() });
      throw new Error('transient');
    },
  });
  consumer.on('handedBack', (_m, info) => handedBack.push(info.visibilityTimeout));
  try {
    await consumer.start();
    // Act
    await sendAll(aws.sqs, url, ['poison']);
    // Assess
    const [dead] = await receiveSome(aws.sqs, aws.url('work-dlq'), 60_000);
    expect(dead?.Body).toBe('poison');
    expect(attempts.map((a) => a.receiveCount)).toEqual([1, 2, 3]);
    expect(handedBack).toEqual([1, 1, 1]);
    for (let i = 1; i < attempts.length; i++) {
      // It stayed invisible for its backoff (a lower bound, not a race: SQS enforces it).
      expect((attempts[i]?.at ?? 0) - (attempts[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(900);
    }
  } finally {
    await consumer.stop({ graceMs: 1000 });
    await aws.stop();
  }
});
