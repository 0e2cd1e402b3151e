import { performance } from 'node:perf_hooks';
import {
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { InvalidConfigurationError, type LocalAws, startLocalAws } from '../../src/index.ts';
import { parseCliArgs } from '../../src/parse-cli-args.ts';

const LATENCY_MS = 120;

describe('sqsLatencyMs: a fixed latency added to every SQS answer', { timeout: 60_000 }, () => {
  let aws: LocalAws;
  let sqs: SQSClient;

  beforeAll(async () => {
    aws = await startLocalAws({ sqsLatencyMs: LATENCY_MS, queues: [{ name: 'slow' }] });
    sqs = new SQSClient(aws.clientConfig().sqs);
  }, 30_000);

  afterAll(async () => {
    sqs?.destroy();
    await aws?.stop();
  });

  test('every answer waits at least the latency, and the calls still work', async () => {
    // Prepare
    const QueueUrl = aws.queueUrl('slow');
    const timed = async <T>(call: () => Promise<T>): Promise<[T, number]> => {
      const start = performance.now();
      const result = await call();
      return [result, performance.now() - start];
    };

    // Act
    const [sent, sendMs] = await timed(() =>
      sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'hi' })),
    );
    const [received, receiveMs] = await timed(() =>
      sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5 })),
    );
    const message = received.Messages?.[0];
    const [, deleteMs] = await timed(() =>
      sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message?.ReceiptHandle })),
    );

    // Assess: lower bounds only (the latency is a floor; a loaded machine only adds to it).
    expect(message?.MessageId).toBe(sent.MessageId);
    expect(message?.Body).toBe('hi');
    for (const elapsed of [sendMs, receiveMs, deleteMs])
      expect(elapsed).toBeGreaterThanOrEqual(LATENCY_MS - 1);
  });

  test('refuses a latency that is not 0..60000 ms, in options and on the command line', async () => {
    await expect(startLocalAws({ sqsLatencyMs: -1 })).rejects.toThrow(InvalidConfigurationError);
    await expect(startLocalAws({ sqsLatencyMs: Number.NaN })).rejects.toThrow(InvalidConfigurationError);
    expect(parseCliArgs(['start', '--sqs-latency-ms', '25'])).toMatchObject({
      options: { sqsLatencyMs: 25 },
    });
    expect(() => parseCliArgs(['start', '--sqs-latency-ms', 'fast'])).toThrow(/--sqs-latency-ms/);
  });
});
