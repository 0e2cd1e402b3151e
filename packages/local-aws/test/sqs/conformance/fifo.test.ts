import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorName, type SqsTarget, startSqsTarget } from '../support/sqs-target.ts';

describe('SQS conformance: FIFO queues', { timeout: 30_000 }, () => {
  let target: SqsTarget;
  beforeAll(async () => {
    target = await startSqsTarget();
  });
  afterAll(async () => {
    await target.stop();
  });

  it('delivers a group in order with increasing sequence numbers', async () => {
    // Prepare
    const { url } = await target.createQueue('conf-order.fifo');
    const sequenceNumbers: string[] = [];
    for (let index = 0; index < 5; index++) {
      const sent = await target.client.send(
        new SendMessageCommand({
          QueueUrl: url,
          MessageBody: `m${index}`,
          MessageGroupId: 'g',
          MessageDeduplicationId: `d${index}`,
        }),
      );
      sequenceNumbers.push(sent.SequenceNumber ?? '');
    }

    // Act
    const { Messages } = await target.client.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 2,
        MessageSystemAttributeNames: ['All'],
      }),
    );

    // Assess
    expect(Messages?.map((message) => message.Body)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    expect(Messages?.map((message) => message.Attributes?.MessageGroupId)).toEqual(['g', 'g', 'g', 'g', 'g']);
    expect(Messages?.map((message) => message.Attributes?.SequenceNumber)).toEqual(sequenceNumbers);
    const asNumbers = sequenceNumbers.map((value) => BigInt(value));
    expect([...asNumbers].sort((a, b) => (a < b ? -1 : 1))).toEqual(asNumbers);
  });

  it('holds back a group while one of its messages is in flight, other groups flow', async () => {
    // Prepare
    const { url } = await target.createQueue('conf-groups.fifo', { ContentBasedDeduplication: 'true' });
    await target.client.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'a1', MessageBody: 'a1', MessageGroupId: 'a' },
          { Id: 'a2', MessageBody: 'a2', MessageGroupId: 'a' },
          { Id: 'b1', MessageBody: 'b1', MessageGroupId: 'b' },
        ],
      }),
    );

    // Act
    const first = await target.client.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1, WaitTimeSeconds: 2 }),
    );
    const second = await target.client.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    const third = await target.client.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    await target.client.send(
      new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first.Messages?.[0]?.ReceiptHandle }),
    );
    const afterDelete = await target.client.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 2 }),
    );

    // Assess
    expect(first.Messages?.map((message) => message.Body)).toEqual(['a1']);
    expect(second.Messages?.map((message) => message.Body)).toEqual(['b1']);
    expect(third.Messages ?? []).toEqual([]);
    expect(afterDelete.Messages?.map((message) => message.Body)).toEqual(['a2']);
  });

  it('redelivers the head of a group first when it is handed back', async () => {
    // Prepare
    const { url } = await target.createQueue('conf-handback.fifo', { ContentBasedDeduplication: 'true' });
    for (const body of ['h1', 'h2']) {
      await target.client.send(
        new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageGroupId: 'h' }),
      );
    }
    const first = await target.client.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1, WaitTimeSeconds: 2 }),
    );

    // Act
    await target.client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: first.Messages?.[0]?.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    const again = await target.client.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 2 }),
    );

    // Assess
    expect(again.Messages?.map((message) => message.Body)).toEqual(['h1', 'h2']);
  });

  it('drops a duplicate MessageDeduplicationId within the deduplication window', async () => {
    // Prepare
    const { url } = await target.createQueue('conf-dedup.fifo');
    const input = { QueueUrl: url, MessageBody: 'once', MessageGroupId: 'g', MessageDeduplicationId: 'same' };

    // Act
    await target.client.send(new SendMessageCommand(input));
    const second = await target.client.send(new SendMessageCommand({ ...input, MessageBody: 'twice' }));
    const { Messages } = await target.client.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );

    // Assess
    expect(second.MessageId).toBeTruthy();
    expect(Messages?.map((message) => message.Body)).toEqual(['once']);
  });

  it('deduplicates by content when ContentBasedDeduplication is on', async () => {
    // Prepare
    const { url } = await target.createQueue('conf-cbd.fifo', { ContentBasedDeduplication: 'true' });

    // Act
    await target.client.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: 'same body', MessageGroupId: 'g' }),
    );
    await target.client.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: 'same body', MessageGroupId: 'g' }),
    );
    await target.client.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: 'other body', MessageGroupId: 'g' }),
    );
    const { Messages } = await target.client.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );

    // Assess
    expect(Messages?.map((message) => message.Body)).toEqual(['same body', 'other body']);
  });

  it('requires MessageGroupId, and a deduplication id without content-based deduplication', async () => {
    // Prepare
    const { url } = await target.createQueue('conf-fifo-params.fifo');

    // Act
    const noGroup = errorName(
      target.client.send(
        new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageDeduplicationId: 'd' }),
      ),
    );
    const noDedup = errorName(
      target.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageGroupId: 'g' })),
    );

    // Assess
    expect(await noGroup).toBe('MissingParameter');
    expect(await noDedup).toBe('InvalidParameterValue');
  });
});
