import { ChangeMessageVisibilityCommand } from '@aws-sdk/client-sqs';
import { expect, test } from 'vitest';
import { QueueConsumer } from '../src/index.ts';
import { receiveRaw, sendAll, startTestAws, waitFor } from './helpers.ts';

test('stop() mid-job aborts the handler, hands the message back at once, and a second consumer processes it', async () => {
  // Prepare: a visibility timeout of 60 s, so only a hand-back can make the message visible soon.
  const aws = await startTestAws([{ name: 'jobs', attributes: { VisibilityTimeout: '60' } }]);
  const url = aws.url('jobs');
  let abortReason: unknown;
  const first = new QueueConsumer({
    sqs: aws.sqs,
    queueUrl: url,
    handler: (_message, { signal }) =>
      new Promise<void>((_resolve, reject) => {
        signal.addEventListener('abort', () => {
          abortReason = signal.reason;
          reject(signal.reason);
        });
      }),
  });
  const handedBack: string[] = [];
  first.on('handedBack', (_m, info) => handedBack.push(`${info.reason}:${info.visibilityTimeout}`));
  const second = new QueueConsumer({ sqs: aws.sqs, queueUrl: url, handler: () => {} });
  try {
    await first.start();
    const [id] = await sendAll(aws.sqs, url, ['job']);
    await waitFor(() => first.inFlight === 1, 20_000, 'the first consumer to start the job');
    // Act
    await first.stop({ graceMs: 200 });
    // Assess: visible at once (a 1 s long poll finds it), then a second consumer processes it.
    const [visible] = await receiveRaw(aws.sqs, url, 1);
    expect(visible?.MessageId).toBe(id);
    expect(handedBack).toEqual(['stop:0']);
    expect(abortReason).toMatchObject({ code: 'STOPPED' });
    await aws.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: visible?.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    const processed = new Promise<string>((resolve) =>
      second.once('deleted', (m) => resolve(m.MessageId ?? '')),
    );
    await second.start();
    expect(await processed).toBe(id);
  } finally {
    await first.stop();
    await second.stop({ graceMs: 1000 });
    await aws.stop();
  }
});

test('stop() waits for a handler that finishes within the grace period, and deletes its message', async () => {
  // Prepare
  const aws = await startTestAws([{ name: 'jobs' }]);
  const url = aws.url('jobs');
  let release: () => void = () => {};
  const consumer = new QueueConsumer({
    sqs: aws.sqs,
    queueUrl: url,
    handler: () => new Promise<void>((resolve) => (release = resolve)),
  });
  const events: string[] = [];
  consumer.on('deleted', () => events.push('deleted'));
  consumer.on('handedBack', () => events.push('handedBack'));
  try {
    await consumer.start();
    await sendAll(aws.sqs, url, ['job']);
    await waitFor(() => consumer.inFlight === 1, 20_000, 'job start');
    // Act
    const stopped = consumer.stop({ graceMs: 20_000 });
    setTimeout(() => release(), 300);
    await stopped;
    // Assess
    expect(events).toEqual(['deleted']);
    expect(await receiveRaw(aws.sqs, url, 0)).toEqual([]);
  } finally {
    await consumer.stop();
    await aws.stop();
  }
});
