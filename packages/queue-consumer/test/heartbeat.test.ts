import { expect, test } from 'vitest';
import { QueueConsumer, type QueueConsumerError } from '../src/index.ts';
import { delay, queueCounts, receiveRaw, sendAll, startTestAws, waitFor } from './helpers.ts';

test('the heartbeat keeps a job of 3× the visibility timeout invisible, then the delete does not race it', async () => {
  // Prepare: visibility timeout 2 s, a 6 s job.
  const aws = await startTestAws([{ name: 'slow', attributes: { VisibilityTimeout: '2' } }]);
  const url = aws.url('slow');
  const errors: QueueConsumerError[] = [];
  let extended = 0;
  let finished = false;
  const consumer = new QueueConsumer({
    sqs: aws.sqs,
    queueUrl: url,
    handler: async () => {
      await delay(6000);
      finished = true;
    },
  });
  consumer.on('error', (error) => errors.push(error));
  consumer.on('heartbeat', ({ extended: n }) => {
    extended += n;
  });
  const deleted = new Promise<void>((resolve) => consumer.once('deleted', () => resolve()));
  try {
    await consumer.start();
    await sendAll(aws.sqs, url, ['long job']);
    await waitFor(() => consumer.inFlight === 1, 20_000, 'the job to start');
    // Act: a rival keeps trying to receive the message while the job runs.
    const stolen: string[] = [];
    while (!finished) {
      for (const m of await receiveRaw(aws.sqs, url, 1)) stolen.push(m.Body ?? '');
    }
    await deleted;
    // Assess
    expect(stolen).toEqual([]);
    expect(extended).toBeGreaterThanOrEqual(2);
    expect(errors).toEqual([]);
    expect(await queueCounts(aws.sqs, url)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  } finally {
    await consumer.stop({ graceMs: 1000 });
    await aws.stop();
  }
});
