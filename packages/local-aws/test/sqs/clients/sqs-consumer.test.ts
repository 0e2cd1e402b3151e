import { GetQueueAttributesCommand, type Message, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { Consumer } from 'sqs-consumer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SqsTarget, sleep, startSqsTarget } from '../support/sqs-target.ts';

async function waitFor(condition: () => boolean, deadlineMs = 15_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}

async function remaining(target: SqsTarget, url: string): Promise<number> {
  const { Attributes } = await target.client.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes?.ApproximateNumberOfMessages) +
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible)
  );
}

describe('sqs-consumer (npm) against the server', { timeout: 30_000 }, () => {
  let target: SqsTarget;
  beforeAll(async () => {
    target = await startSqsTarget();
  });
  afterAll(async () => {
    await target.stop();
  });

  async function sendBodies(url: string, bodies: string[]): Promise<void> {
    for (let start = 0; start < bodies.length; start += 10) {
      await target.client.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: bodies
            .slice(start, start + 10)
            .map((body, index) => ({ Id: `m${index}`, MessageBody: body })),
        }),
      );
    }
  }

  it('consumes and deletes every message with handleMessage', async () => {
    // Prepare
    const { url } = await target.createQueue('consumer-single');
    const bodies = Array.from({ length: 25 }, (_, index) => `job ${index}`);
    await sendBodies(url, bodies);
    const handled: string[] = [];
    const errors: Error[] = [];
    const consumer = Consumer.create({
      queueUrl: url,
      sqs: target.client,
      waitTimeSeconds: 1,
      handleMessage: async (message: Message) => {
        handled.push(message.Body ?? '');
        return message;
      },
    });
    consumer.on('error', (error) => errors.push(error));

    // Act
    consumer.start();
    await waitFor(() => handled.length >= bodies.length);
    consumer.stop({ abort: false });
    await waitFor(() => !consumer.status.isRunning);

    // Assess
    expect([...handled].sort()).toEqual([...bodies].sort());
    expect(errors).toEqual([]);
    await expect.poll(() => remaining(target, url), { timeout: 10_000 }).toBe(0);
  });

  it('consumes in batches with handleMessageBatch and leaves failed messages on the queue', async () => {
    // Prepare
    const { url } = await target.createQueue('consumer-batch', { VisibilityTimeout: '60' });
    const bodies = Array.from({ length: 20 }, (_, index) => `item ${index}`);
    await sendBodies(url, bodies);
    const seen = new Set<string>();
    const consumer = Consumer.create({
      queueUrl: url,
      sqs: target.client,
      batchSize: 10,
      waitTimeSeconds: 1,
      handleMessageBatch: async (messages: Message[]) => {
        for (const message of messages) seen.add(message.Body ?? '');
        return messages.filter((message) => message.Body !== 'item 7');
      },
    });

    // Act
    consumer.start();
    await waitFor(() => seen.size >= bodies.length);
    consumer.stop({ abort: false });
    await waitFor(() => !consumer.status.isRunning);

    // Assess
    expect(seen.size).toBe(20);
    await expect.poll(() => remaining(target, url), { timeout: 10_000 }).toBe(1);
  });
});
