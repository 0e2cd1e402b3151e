import { DeleteQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  PermanentError,
  parseS3Event,
  QueueConsumer,
  type QueueConsumerError,
  QueueNotFoundError,
  S3EventParseError,
} from '../src/index.ts';
import { delay, queueCounts, receiveSome, sendAll, startTestAws, type TestAws, waitFor } from './helpers.ts';

let aws: TestAws;

beforeAll(async () => {
  aws = await startTestAws([
    { name: 'basic' },
    { name: 'idle' },
    { name: 'drain', attributes: { VisibilityTimeout: '60' } },
    { name: 'permanent', deadLetter: { name: 'permanent-dlq', maxReceiveCount: 5 } },
    { name: 'permanent-nodlq' },
    { name: 'malformed' },
    { name: 'doomed' },
  ]);
});

afterAll(async () => {
  await aws?.stop();
});

describe('QueueConsumer against local-aws', () => {
  test('picks up a message sent while idle and deletes it', async () => {
    // Prepare
    const url = aws.url('basic');
    const seen: string[] = [];
    const deleted: string[] = [];
    const consumer = new QueueConsumer({
      sqs: aws.sqs,
      queueUrl: url,
      concurrency: 2,
      handler: (message) => {
        seen.push(message.Body ?? '');
      },
    });
    consumer.on('deleted', (m) => deleted.push(m.MessageId ?? ''));
    await consumer.start();
    try {
      // Act
      const [id] = await sendAll(aws.sqs, url, ['hello']);
      // Assess
      await waitFor(() => deleted.includes(id ?? '?'), 20_000, 'delete');
      expect(seen).toEqual(['hello']);
      expect(await queueCounts(aws.sqs, url)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    } finally {
      await consumer.stop({ graceMs: 1000 });
    }
    expect(consumer.state).toBe('stopped');
  });

  test("'idle' comes once the queue is empty and nothing is in flight", async () => {
    // Prepare
    const url = aws.url('idle');
    await sendAll(aws.sqs, url, ['x', 'y']);
    const events: string[] = [];
    const consumer = new QueueConsumer({
      sqs: aws.sqs,
      queueUrl: url,
      concurrency: 2,
      waitTimeSeconds: 1,
      handler: (message) => {
        events.push(message.Body ?? '');
      },
    });
    const idle = new Promise<void>((resolve) => consumer.once('idle', resolve));
    // Act
    await consumer.start();
    await idle;
    // Assess
    expect(events.sort()).toEqual(['x', 'y']);
    expect(consumer.inFlight).toBe(0);
    await consumer.stop({ graceMs: 1000 });
  });

  test("pollsOnStop: 'drain' lets a long poll return and hands its message back instead of stranding it", async () => {
    // Prepare: visibility 60 s, so a stranded message would not come back within the test.
    const url = aws.url('drain');
    const consumer = new QueueConsumer({
      sqs: aws.sqs,
      queueUrl: url,
      pollsOnStop: 'drain',
      handler: () => {},
    });
    const handedBack: string[] = [];
    consumer.on('handedBack', (m, info) => handedBack.push(`${m.Body}:${info.reason}`));
    await consumer.start();
    await delay(500); // let the first long poll reach the server
    // Act: stop, and send while the long poll is still out: SQS assigns the message to that poll.
    const stopping = consumer.stop({ graceMs: 10_000 });
    await sendAll(aws.sqs, url, ['late']);
    await stopping;
    // Assess: the poll was not abandoned; its message came back at once.
    expect(handedBack).toEqual(['late:stop']);
    const [message] = await receiveSome(aws.sqs, url);
    expect(message?.Body).toBe('late');
  });

  test('PermanentError is not retried: sent to the RedrivePolicy DLQ (default) and deleted', async () => {
    // Prepare
    const url = aws.url('permanent');
    let calls = 0;
    const events: string[] = [];
    const consumer = new QueueConsumer({
      sqs: aws.sqs,
      queueUrl: url,
      handler: () => {
        calls++;
        throw new PermanentError('not a video');
      },
      backoff: () => 0,
    });
    consumer.on('failed', (_m, _e, info) => events.push(`failed:${info.permanent}`));
    consumer.on('deadLettered', () => events.push('deadLettered'));
    consumer.on('deleted', () => events.push('deleted'));
    await consumer.start();
    try {
      // Act
      await sendAll(aws.sqs, url, ['poison']);
      // Assess
      await waitFor(() => events.includes('deleted'), 20_000, 'delete after dead-lettering');
      const [dead] = await receiveSome(aws.sqs, aws.url('permanent-dlq'));
      expect(dead?.Body).toBe('poison');
      expect(events).toEqual(['failed:true', 'deadLettered', 'deleted']);
      expect(calls).toBe(1);
      expect(await queueCounts(aws.sqs, url)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    } finally {
      await consumer.stop({ graceMs: 1000 });
    }
  });

  test("PermanentError without a DLQ deletes; onPermanentFailure: 'delete' and a function are honoured", async () => {
    // Prepare
    const url = aws.url('permanent-nodlq');
    const reported: string[] = [];
    const consumer = new QueueConsumer({
      sqs: aws.sqs,
      queueUrl: url,
      concurrency: 3,
      handler: (message) => {
        throw new PermanentError(`bad ${message.Body}`);
      },
      onPermanentFailure: async (message, error) => {
        reported.push(`${message.Body}:${(error as Error).message}`);
      },
    });
    const deleted: string[] = [];
    consumer.on('deleted', (m) => deleted.push(m.Body ?? ''));
    await consumer.start();
    try {
      // Act
      await sendAll(aws.sqs, url, ['a', 'b']);
      // Assess
      await waitFor(() => deleted.length === 2, 20_000, 'two deletes');
      expect(reported.sort()).toEqual(['a:bad a', 'b:bad b']);
    } finally {
      await consumer.stop({ graceMs: 1000 });
    }
  });

  test('a malformed S3 event body fails with a typed S3EventParseError', async () => {
    // Prepare
    const url = aws.url('malformed');
    const errors: unknown[] = [];
    const consumer = new QueueConsumer({
      sqs: aws.sqs,
      queueUrl: url,
      handler: (message) => {
        parseS3Event(message);
      },
      onPermanentFailure: 'delete',
      backoff: () => 60_000,
    });
    consumer.on('failed', (_m, error) => errors.push(error));
    await consumer.start();
    try {
      // Act
      await sendAll(aws.sqs, url, ['{"not":"an event"}']);
      // Assess
      await waitFor(() => errors.length === 1, 20_000, 'failure');
      expect(errors[0]).toBeInstanceOf(S3EventParseError);
      expect(errors[0]).toMatchObject({ code: 'S3_EVENT_PARSE', reason: 'NO_RECORDS' });
    } finally {
      await consumer.stop({ graceMs: 1000 });
    }
  });

  test('start() rejects with QueueNotFoundError for a queue that does not exist', async () => {
    // Prepare
    const consumer = new QueueConsumer({
      sqs: aws.sqs,
      queueUrl: aws.url('no-such-queue'),
      handler: () => {},
    });
    // Act
    const started = consumer.start();
    // Assess
    await expect(started).rejects.toBeInstanceOf(QueueNotFoundError);
    await expect(started).rejects.toMatchObject({ code: 'QUEUE_NOT_FOUND' });
    await consumer.stop();
  });

  test('a queue deleted while running: a typed QueueNotFoundError is emitted and the consumer stops', async () => {
    // Prepare
    const url = aws.url('doomed');
    const errors: QueueConsumerError[] = [];
    const consumer = new QueueConsumer({
      sqs: aws.sqs,
      queueUrl: url,
      waitTimeSeconds: 1,
      handler: () => {},
    });
    consumer.on('error', (error) => errors.push(error));
    const stopped = new Promise<void>((resolve) => consumer.once('stopped', resolve));
    await consumer.start();
    // Act
    await aws.sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
    // Assess
    await stopped;
    expect(consumer.state).toBe('stopped');
    expect(errors.at(-1)).toBeInstanceOf(QueueNotFoundError);
    expect(errors.every((e) => e.code === 'QUEUE_NOT_FOUND')).toBe(true);
  });

  test('start() rejects with START_FAILED when SQS cannot be reached', async () => {
    // Prepare: a client whose endpoint refuses connections (nothing listens on port 1).
    const broken = new SQSClient({
      endpoint: 'http://127.0.0.1:1',
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      maxAttempts: 1,
    });
    const consumer = new QueueConsumer({
      sqs: broken,
      queueUrl: aws.url('basic'),
      visibilityTimeout: 30,
      handler: () => {},
    });
    // Act
    const started = consumer.start();
    // Assess: start() reads the queue attributes first, so it reports the outage clearly.
    await expect(started).rejects.toMatchObject({ code: 'START_FAILED' });
    broken.destroy();
  });
});

describe('validation', () => {
  test('needs exactly one handler', () => {
    expect(() => new QueueConsumer({ sqs: aws.sqs, queueUrl: 'x' })).toThrowError(
      expect.objectContaining({ code: 'INVALID_OPTIONS' }) as unknown as QueueConsumerError,
    );
  });
});
