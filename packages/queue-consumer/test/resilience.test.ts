import { SQSClient } from '@aws-sdk/client-sqs';
import { startLocalAws } from '@media-server/local-aws';
import { expect, test } from 'vitest';
import { QueueConsumer, type QueueConsumerError } from '../src/index.ts';
import { sendAll, waitFor } from './helpers.ts';

test('SQS going away: receive errors are emitted and retried with backoff, and work resumes when it is back', async () => {
  // Prepare
  let aws = await startLocalAws({ queues: [{ name: 'jobs' }] });
  const port = Number(new URL(aws.sqsEndpoint).port);
  const sqs = new SQSClient({ ...aws.clientConfig().sqs, maxAttempts: 1 });
  const errors: QueueConsumerError[] = [];
  const seen: string[] = [];
  const consumer = new QueueConsumer({
    sqs,
    queueUrl: aws.queueUrl('jobs'),
    waitTimeSeconds: 1,
    handler: (message) => {
      seen.push(message.Body ?? '');
    },
  });
  consumer.on('error', (error) => errors.push(error));
  await consumer.start();
  try {
    // Act: take SQS away, wait for the consumer to notice, then bring it back on the same port.
    await aws.stop();
    await waitFor(() => errors.length >= 2, 30_000, 'receive errors');
    aws = await startLocalAws({ sqsPort: port, queues: [{ name: 'jobs' }] });
    await sendAll(sqs, aws.queueUrl('jobs'), ['after outage']);
    // Assess
    await waitFor(() => seen.includes('after outage'), 30_000, 'message after the outage');
    expect(errors.every((e) => e.code === 'RECEIVE_FAILED')).toBe(true);
    expect(consumer.state).toBe('running');
  } finally {
    await consumer.stop({ graceMs: 1000 });
    sqs.destroy();
    await aws.stop();
  }
});
