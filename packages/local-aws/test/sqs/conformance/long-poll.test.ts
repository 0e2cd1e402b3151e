import { Agent } from 'node:http';
import {
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SqsTarget, sleep, startSqsTarget } from '../support/sqs-target.ts';

describe('SQS conformance: long polling', { timeout: 30_000 }, () => {
  let target: SqsTarget;
  beforeAll(async () => {
    target = await startSqsTarget();
  });
  afterAll(async () => {
    await target.stop();
  });

  // A 20 s long poll that is not woken by the send would outlast the 10 s test timeout: the test fails.
  it('wakes a waiting receive when a message is sent', { timeout: 10_000 }, async () => {
    // Prepare
    const { url } = await target.createQueue('conf-wake');
    const waiting = target.client.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }));
    await sleep(200);

    // Act
    await target.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'wake up' }));
    const { Messages } = await waiting;

    // Assess
    expect(Messages?.map((message) => message.Body)).toEqual(['wake up']);
  });

  it('uses the queue ReceiveMessageWaitTimeSeconds when the request gives none', {
    timeout: 10_000,
  }, async () => {
    // Prepare
    const { url } = await target.createQueue('conf-queue-wait', { ReceiveMessageWaitTimeSeconds: '20' });
    const waiting = target.client.send(new ReceiveMessageCommand({ QueueUrl: url }));
    await sleep(200);

    // Act
    await target.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'queue default wait' }));
    const { Messages } = await waiting;

    // Assess
    expect(Messages?.map((message) => message.Body)).toEqual(['queue default wait']);
  });

  it('returns no messages when the wait time passes with an empty queue', async () => {
    // Prepare
    const { url } = await target.createQueue('conf-empty-wait');

    // Act
    const { Messages } = await target.client.send(
      new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1 }),
    );

    // Assess
    expect(Messages ?? []).toEqual([]);
  });

  it('serves 60 concurrent long polls, delivering each message exactly once', {
    timeout: 30_000,
  }, async () => {
    // Prepare
    const { url } = await target.createQueue('conf-sixty');
    const client = new SQSClient({
      endpoint: target.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
      requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: 100 }) } as never,
    });
    const polls = Array.from({ length: 60 }, () =>
      client.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 10, MaxNumberOfMessages: 1 })),
    );
    await sleep(500);

    // Act
    for (let batch = 0; batch < 6; batch++) {
      await target.client.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: Array.from({ length: 10 }, (_, index) => ({
            Id: `m${index}`,
            MessageBody: `message ${batch * 10 + index}`,
          })),
        }),
      );
    }
    const results = await Promise.all(polls);
    client.destroy();

    // Assess
    const bodies = results.flatMap((result) => result.Messages ?? []).map((message) => message.Body);
    expect(new Set(bodies).size).toBe(bodies.length);
    expect(bodies.length).toBe(60);
  });
});
