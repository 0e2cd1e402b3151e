import { SQSClient } from '@aws-sdk/client-sqs';
import { type LocalAws, startLocalAws } from '@media-server/local-aws';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { QueueConsumer, QueueNotFoundError } from '../src/index.ts';
import { sendAll, waitFor } from './helpers.ts';

// Every SQS answer here takes 300 ms (local-aws's sqsLatencyMs), so "sent before that answer came" is an
// order of events with 300 ms to spare, not a race.
const LATENCY_MS = 300;

let aws: LocalAws;
let sqs: SQSClient;
/** Every request the client sends and every answer it gets, in order. */
const log: string[] = [];
/** MaxNumberOfMessages of each ReceiveMessage sent and not answered yet. */
const receivesOut: number[] = [];

beforeAll(async () => {
  aws = await startLocalAws({
    sqsLatencyMs: LATENCY_MS,
    queues: [
      { name: 'early-polls' },
      { name: 'full-batches' },
      { name: 'started-first' },
      { name: 'drained' },
      { name: 'drained-wide' },
    ],
  });
  sqs = new SQSClient({ ...aws.clientConfig().sqs, maxAttempts: 1 });
  sqs.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { MaxNumberOfMessages?: number };
      const max = input.MaxNumberOfMessages === undefined ? '' : ` ${input.MaxNumberOfMessages}`;
      log.push(`sent ${context.commandName}${max}`);
      const receive = context.commandName === 'ReceiveMessageCommand' ? (input.MaxNumberOfMessages ?? 1) : 0;
      if (receive > 0) receivesOut.push(receive);
      try {
        return await next(args);
      } finally {
        log.push(`answered ${context.commandName}`);
        if (receive > 0) receivesOut.splice(receivesOut.indexOf(receive), 1);
      }
    },
    { step: 'initialize' },
  );
});

afterAll(async () => {
  sqs?.destroy();
  await aws?.stop();
});

describe('start', () => {
  test('polls go out with the attribute read, not one round trip after it', async () => {
    // Prepare
    log.length = 0;
    const consumer = new QueueConsumer({
      sqs,
      queueUrl: aws.queueUrl('early-polls'),
      handler: () => {},
    });

    // Act
    await consumer.start();
    await consumer.stop({ graceMs: 0 });

    // Assess
    const attributesAnswered = log.indexOf('answered GetQueueAttributesCommand');
    const firstPoll = log.findIndex((entry) => entry.startsWith('sent ReceiveMessageCommand'));
    expect(log[0]).toBe('sent GetQueueAttributesCommand');
    expect(firstPoll).toBeGreaterThan(0);
    expect(firstPoll).toBeLessThan(attributesAnswered);
  });

  test("a message that arrives while starting is handled after 'started'", async () => {
    // Prepare
    const url = aws.queueUrl('started-first');
    await sendAll(sqs, url, ['early']);
    const events: string[] = [];
    const consumer = new QueueConsumer({
      sqs,
      queueUrl: url,
      handler: (message) => {
        events.push(`handled ${message.Body}`);
      },
    });
    consumer.on('started', () => events.push('started'));
    consumer.on('received', () => events.push('received'));

    // Act
    await consumer.start();
    await waitFor(() => events.includes('handled early'), 20_000, 'the early message handled');
    await consumer.stop({ graceMs: 1000 });

    // Assess
    expect(events).toEqual(['started', 'received', 'handled early']);
  });

  test('a missing queue still rejects start() with QueueNotFoundError and reports nothing else', async () => {
    // Prepare
    const errors: unknown[] = [];
    const consumer = new QueueConsumer({
      sqs,
      queueUrl: aws.queueUrl('early-polls').replace('early-polls', 'no-such-queue'),
      handler: () => {},
    });
    consumer.on('error', (error) => errors.push(error));

    // Act
    const started = consumer.start();

    // Assess
    await expect(started).rejects.toBeInstanceOf(QueueNotFoundError);
    expect(consumer.state).toBe('stopped');
    await new Promise((resolve) => setTimeout(resolve, 2 * LATENCY_MS));
    expect(errors).toEqual([]);
  });
});

describe('prefetch of 9 or more', () => {
  test('asks SQS for full batches of 10 only', async () => {
    // Prepare: 2 slots and 20 prefetched; 60 messages whose handlers end at once.
    const url = aws.queueUrl('full-batches');
    await sendAll(
      sqs,
      url,
      Array.from({ length: 60 }, (_, i) => `m${i}`),
    );
    log.length = 0;
    const handled = new Set<string>();
    const consumer = new QueueConsumer({
      sqs,
      queueUrl: url,
      concurrency: 2,
      prefetch: 20,
      waitTimeSeconds: 1,
      handler: (message) => {
        handled.add(message.Body ?? '');
      },
    });

    // Act
    await consumer.start();
    await waitFor(() => handled.size === 60, 30_000, 'all 60 handled');
    await consumer.stop({ graceMs: 1000 });

    // Assess
    const polls = log.filter((entry) => entry.startsWith('sent ReceiveMessageCommand'));
    expect(polls.length).toBeGreaterThanOrEqual(6);
    expect(new Set(polls)).toEqual(new Set(['sent ReceiveMessageCommand 10']));
  });
});

describe('a drained queue', () => {
  test('keeps four receives parked (a quarter of the permits each) once an answer comes back short', async () => {
    // Prepare: one message, so the first answer brings 1 of the 10 asked for.
    const url = aws.queueUrl('drained');
    await sendAll(sqs, url, ['only']);
    const handled: string[] = [];
    const consumer = new QueueConsumer({
      sqs,
      queueUrl: url,
      concurrency: 20,
      // Long polls of 1 s: the poll of 10 still out when the first answer came back short is renewed soon.
      waitTimeSeconds: 1,
      handler: (message) => {
        handled.push(message.Body ?? '');
      },
    });

    // Act
    await consumer.start();
    await waitFor(() => handled.length === 1, 20_000, 'the message handled');
    const parked = await waitFor(
      () => receivesOut.length === 4 && receivesOut.every((max) => max === 5),
      10_000,
      'four receives of 5 parked',
    ).then(
      () => true,
      () => false,
    );
    const out = [...receivesOut];
    await consumer.stop({ graceMs: 0 });

    // Assess (before: two receives of 10, with the same 20 permits)
    expect(parked, `receives in flight: ${out.join(', ')}`).toBe(true);
  });

  test('never asks for more than 10, however many permits a quarter is', async () => {
    // Prepare: 100 permits, a quarter of which is 25.
    const url = aws.queueUrl('drained-wide');
    await sendAll(sqs, url, ['only']);
    log.length = 0;
    const errors: unknown[] = [];
    const handled: string[] = [];
    const consumer = new QueueConsumer({
      sqs,
      queueUrl: url,
      concurrency: 100,
      waitTimeSeconds: 1,
      handler: (message) => {
        handled.push(message.Body ?? '');
      },
    });
    consumer.on('error', (error) => errors.push(error));

    // Act: the first answer comes back short, then every long poll of 1 s comes back empty.
    await consumer.start();
    await waitFor(() => handled.length === 1, 20_000, 'the message handled');
    await waitFor(
      () => log.filter((entry) => entry === 'answered ReceiveMessageCommand').length >= 12,
      20_000,
      'a dozen answers',
    );
    await consumer.stop({ graceMs: 0 });

    // Assess
    const asked = log.filter((entry) => entry.startsWith('sent ReceiveMessageCommand'));
    expect(new Set(asked)).toEqual(new Set(['sent ReceiveMessageCommand 10']));
    expect(errors).toEqual([]);
  });
});
