import { afterAll, beforeAll, expect, test } from 'vitest';
import { HandlerTimeoutError, QueueConsumer } from '../src/index.ts';
import { delay, receiveRaw, receiveSome, sendAll, startTestAws, type TestAws, waitFor } from './helpers.ts';

let aws: TestAws;

beforeAll(async () => {
  aws = await startTestAws([
    { name: 'timeout', attributes: { VisibilityTimeout: '30' } },
    { name: 'batch' },
    { name: 'lifetime', attributes: { VisibilityTimeout: '1' } },
    { name: 'extend', attributes: { VisibilityTimeout: '1' } },
  ]);
});

afterAll(async () => {
  await aws?.stop();
});

test('handlerTimeoutMs aborts the signal with HandlerTimeoutError and hands the message back for a retry', async () => {
  // Prepare
  const url = aws.url('timeout');
  const reasons: unknown[] = [];
  const counts: number[] = [];
  const consumer = new QueueConsumer({
    sqs: aws.sqs,
    queueUrl: url,
    handlerTimeoutMs: 300,
    backoff: () => 0,
    handler: async (_message, { signal, receiveCount }) => {
      counts.push(receiveCount);
      if (receiveCount > 1) return;
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
      reasons.push(signal.reason);
    },
  });
  const handedBack: string[] = [];
  consumer.on('handedBack', (_m, info) => handedBack.push(info.reason));
  const deleted = new Promise<void>((resolve) => consumer.once('deleted', () => resolve()));
  try {
    // Act
    await consumer.start();
    await sendAll(aws.sqs, url, ['slow']);
    await deleted;
    // Assess
    expect(reasons[0]).toBeInstanceOf(HandlerTimeoutError);
    expect(handedBack).toEqual(['timeout']);
    expect(counts).toEqual([1, 2]);
  } finally {
    await consumer.stop({ graceMs: 1000 });
  }
});

test('a batch handler gets up to 10 messages at once; listed failures are handed back, the rest deleted', async () => {
  // Prepare
  const url = aws.url('batch');
  await sendAll(aws.sqs, url, ['ok1', 'bad', 'ok2']);
  const batches: string[][] = [];
  const consumer = new QueueConsumer({
    sqs: aws.sqs,
    queueUrl: url,
    concurrency: 10,
    waitTimeSeconds: 1,
    backoff: () => 60_000,
    batchHandler: (messages) => {
      batches.push(messages.map((m) => m.Body ?? ''));
      return {
        failed: messages.filter((m) => m.Body === 'bad').map((m) => ({ messageId: m.MessageId ?? '' })),
      };
    },
  });
  const deleted: string[] = [];
  const handedBack: string[] = [];
  consumer.on('deleted', (m) => deleted.push(m.Body ?? ''));
  consumer.on('handedBack', (m, info) => handedBack.push(`${m.Body}:${info.visibilityTimeout}`));
  try {
    // Act
    await consumer.start();
    await waitFor(() => deleted.length === 2 && handedBack.length === 1, 20_000, 'batch outcome');
    // Assess
    expect(batches.flat().sort()).toEqual(['bad', 'ok1', 'ok2']);
    expect(deleted.sort()).toEqual(['ok1', 'ok2']);
    expect(handedBack).toEqual(['bad:60']);
  } finally {
    await consumer.stop({ graceMs: 1000 });
  }
});

test('maxLifetimeMs stops the heartbeat: the message becomes visible to others while the handler still runs', async () => {
  // Prepare: visibility 1 s, lifetime 2 s, a handler that outlives both.
  const url = aws.url('lifetime');
  let release: () => void = () => {};
  const consumer = new QueueConsumer({
    sqs: aws.sqs,
    queueUrl: url,
    maxLifetimeMs: 2000,
    handler: () => new Promise<void>((resolve) => (release = resolve)),
  });
  const expired: string[] = [];
  consumer.on('lifetimeExceeded', (id) => expired.push(id));
  try {
    await consumer.start();
    const [id] = await sendAll(aws.sqs, url, ['long']);
    // Act
    const [again] = await receiveSome(aws.sqs, url, 20_000);
    // Assess
    expect(again?.MessageId).toBe(id);
    expect(Number(again?.Attributes?.ApproximateReceiveCount)).toBe(2);
    expect(expired).toEqual([id]);
  } finally {
    release();
    await delay(10);
    await consumer.stop({ graceMs: 1000 });
  }
});

test('extendVisibility from the handler keeps the message invisible without the heartbeat', async () => {
  // Prepare: visibility 1 s, heartbeat off; the handler extends to 10 s and works for 2.5 s.
  const url = aws.url('extend');
  let finished = false;
  const consumer = new QueueConsumer({
    sqs: aws.sqs,
    queueUrl: url,
    heartbeat: false,
    handler: async (_message, { extendVisibility }) => {
      await extendVisibility(10);
      await delay(2500);
      finished = true;
    },
  });
  const deleted = new Promise<void>((resolve) => consumer.once('deleted', () => resolve()));
  try {
    await consumer.start();
    await sendAll(aws.sqs, url, ['extended']);
    await waitFor(() => consumer.inFlight === 1, 20_000, 'job start');
    // Act: a rival tries to receive while the job runs.
    const stolen: string[] = [];
    while (!finished) for (const m of await receiveRaw(aws.sqs, url, 1)) stolen.push(m.Body ?? '');
    await deleted;
    // Assess
    expect(stolen).toEqual([]);
  } finally {
    await consumer.stop({ graceMs: 1000 });
  }
});
