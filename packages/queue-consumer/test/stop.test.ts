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

test('stop() hands a message back only after its aborted handler has returned (the work never overlaps)', async () => {
  // Prepare: a handler that, like a child process being killed, takes a while to end after the abort.
  const aws = await startTestAws([{ name: 'jobs', attributes: { VisibilityTimeout: '60' } }]);
  const url = aws.url('jobs');
  const order: string[] = [];
  const consumer = new QueueConsumer({
    sqs: aws.sqs,
    queueUrl: url,
    handler: (_message, { signal }) =>
      new Promise<void>((_resolve, reject) => {
        signal.addEventListener('abort', () => {
          setTimeout(() => {
            order.push('handler returned');
            reject(signal.reason);
          }, 500);
        });
      }),
  });
  consumer.on('handedBack', (_m, info) => order.push(`handed back (${info.reason})`));
  try {
    await consumer.start();
    await sendAll(aws.sqs, url, ['job']);
    await waitFor(() => consumer.inFlight === 1, 20_000, 'job start');
    // Act
    await consumer.stop({ graceMs: 100 });
    // Assess
    expect(order).toEqual(['handler returned', 'handed back (stop)']);
    expect((await receiveRaw(aws.sqs, url, 1))[0]).toBeDefined();
  } finally {
    await consumer.stop();
    await aws.stop();
  }
});

test('a handler timeout hands the message back only after the aborted handler has returned', async () => {
  const aws = await startTestAws([{ name: 'jobs', attributes: { VisibilityTimeout: '60' } }]);
  const url = aws.url('jobs');
  const order: string[] = [];
  const consumer = new QueueConsumer({
    sqs: aws.sqs,
    queueUrl: url,
    handlerTimeoutMs: 100,
    backoff: () => 30,
    handler: (_message, { signal }) =>
      new Promise<void>((_resolve, reject) => {
        signal.addEventListener('abort', () => {
          setTimeout(() => {
            order.push('handler returned');
            reject(signal.reason);
          }, 500);
        });
      }),
  });
  consumer.on('handedBack', (_m, info) => order.push(`handed back (${info.reason})`));
  try {
    await consumer.start();
    await sendAll(aws.sqs, url, ['job']);
    await waitFor(() => order.length >= 2, 20_000, 'the timeout hand-back');
    expect(order).toEqual(['handler returned', 'handed back (timeout)']);
  } finally {
    await consumer.stop({ graceMs: 0 });
    await aws.stop();
  }
});
