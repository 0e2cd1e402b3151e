import { createHash } from 'node:crypto';
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorName, receiveAtLeast, type SqsTarget, sleep, startSqsTarget } from '../support/sqs-target.ts';

/** Attributes whose MD5 (as AWS computes it) moto and ElasticMQ both report as the value below. */
const VECTOR_ATTRIBUTES = {
  a: { DataType: 'String', StringValue: 'x' },
  b: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2, 3]) },
  'n.c': { DataType: 'Number.int', StringValue: '42' },
  z: { DataType: 'String', StringValue: 'ünï' },
};
const VECTOR_MD5 = '0f2e91db9d8ffb81a6ed479fd4d58ca1';

describe('SQS conformance: messages', { timeout: 30_000 }, () => {
  let target: SqsTarget;
  beforeAll(async () => {
    target = await startSqsTarget();
  });
  afterAll(async () => {
    await target.stop();
  });

  it('sends, receives and deletes a message with correct MD5s (SDK checksum validation on)', async () => {
    // Prepare
    const { url } = await target.createQueue('conf-roundtrip');

    // Act
    const sent = await target.client.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: 'hello ✓ 🎬',
        MessageAttributes: VECTOR_ATTRIBUTES,
      }),
    );
    const { Messages } = await target.client.send(
      new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 5, MessageAttributeNames: ['All'] }),
    );
    const message = Messages?.[0];
    await target.client.send(
      new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message?.ReceiptHandle }),
    );
    const after = await target.client.send(new ReceiveMessageCommand({ QueueUrl: url }));

    // Assess
    expect(sent.MD5OfMessageBody).toBe(createHash('md5').update('hello ✓ 🎬', 'utf8').digest('hex'));
    expect(sent.MD5OfMessageAttributes).toBe(VECTOR_MD5);
    expect(message?.MessageId).toBe(sent.MessageId);
    expect(message?.Body).toBe('hello ✓ 🎬');
    expect(message?.MD5OfMessageAttributes).toBe(VECTOR_MD5);
    expect(message?.MessageAttributes?.b?.BinaryValue).toEqual(new Uint8Array([1, 2, 3]));
    expect(message?.MessageAttributes?.['n.c']).toMatchObject({ DataType: 'Number.int', StringValue: '42' });
    expect(after.Messages ?? []).toEqual([]);
  });

  it('selects message attributes by name, by prefix.* and All', async () => {
    // Prepare
    const { url } = await target.createQueue('conf-attr-select');
    const attributes = {
      'job.id': { DataType: 'String', StringValue: '1' },
      'job.kind': { DataType: 'String', StringValue: 'hls' },
      trace: { DataType: 'String', StringValue: 't' },
    };
    await target.client.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageAttributes: attributes }),
    );

    // Act
    const receiveWith = async (names: string[]): Promise<string[]> => {
      const { Messages } = await target.client.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          WaitTimeSeconds: 5,
          MessageAttributeNames: names,
          VisibilityTimeout: 0,
        }),
      );
      return Object.keys(Messages?.[0]?.MessageAttributes ?? {}).sort();
    };
    const byPrefix = await receiveWith(['job.*']);
    const byName = await receiveWith(['trace']);
    const all = await receiveWith(['All']);
    const none = await receiveWith([]);

    // Assess
    expect(byPrefix).toEqual(['job.id', 'job.kind']);
    expect(byName).toEqual(['trace']);
    expect(all).toEqual(['job.id', 'job.kind', 'trace']);
    expect(none).toEqual([]);
  });

  it('returns system attributes: SentTimestamp, ApproximateReceiveCount, ApproximateFirstReceiveTimestamp', async () => {
    // Prepare
    const { url } = await target.createQueue('conf-sysattr');
    const before = Date.now();
    await target.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' }));

    // Act
    const first = await target.client.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        WaitTimeSeconds: 5,
        MessageSystemAttributeNames: ['All'],
        VisibilityTimeout: 0,
      }),
    );
    const second = await target.client.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        WaitTimeSeconds: 5,
        MessageSystemAttributeNames: ['ApproximateReceiveCount', 'ApproximateFirstReceiveTimestamp'],
      }),
    );

    // Assess
    const firstAttributes = first.Messages?.[0]?.Attributes ?? {};
    const secondAttributes = second.Messages?.[0]?.Attributes ?? {};
    expect(Number(firstAttributes.SentTimestamp)).toBeGreaterThanOrEqual(before - 5_000);
    expect(firstAttributes.ApproximateReceiveCount).toBe('1');
    expect(secondAttributes.ApproximateReceiveCount).toBe('2');
    expect(secondAttributes.ApproximateFirstReceiveTimestamp).toBe(
      firstAttributes.ApproximateFirstReceiveTimestamp,
    );
    expect(Object.keys(secondAttributes).sort()).toEqual([
      'ApproximateFirstReceiveTimestamp',
      'ApproximateReceiveCount',
    ]);
  });

  it('rejects MaxNumberOfMessages above 10', async () => {
    // Prepare
    const { url } = await target.createQueue('conf-max11');

    // Act
    const name = await errorName(
      target.client.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 11 })),
    );

    // Assess
    expect(name).toBe('InvalidParameterValue');
  });

  it('returns at most MaxNumberOfMessages messages', async () => {
    // Prepare
    const { url } = await target.createQueue('conf-max');
    await target.client.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: Array.from({ length: 10 }, (_, index) => ({
          Id: `m${index}`,
          MessageBody: `body ${index}`,
        })),
      }),
    );

    // Act
    const { Messages } = await target.client.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 3, WaitTimeSeconds: 5 }),
    );
    const rest = await receiveAtLeast(target.client, { QueueUrl: url }, 7);

    // Assess
    expect(Messages?.length).toBeGreaterThan(0);
    expect(Messages?.length).toBeLessThanOrEqual(3);
    expect(new Set([...(Messages ?? []), ...rest].map((message) => message.Body)).size).toBe(10);
  });

  it('reports per-entry failures in SendMessageBatch', async () => {
    // Prepare
    const { url } = await target.createQueue('conf-batch-fail');

    // Act
    const result = await target.client.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'ok', MessageBody: 'fine' },
          { Id: 'bad', MessageBody: 'x', MessageAttributes: { a: { DataType: 'String' } } },
        ],
      }),
    );

    // Assess
    expect(result.Successful?.map((entry) => entry.Id)).toEqual(['ok']);
    expect(result.Failed).toEqual([expect.objectContaining({ Id: 'bad', SenderFault: true })]);
  });

  it.each([
    ['no entries', [], 'EmptyBatchRequest'],
    [
      '11 entries',
      Array.from({ length: 11 }, (_, index) => ({ Id: `e${index}`, MessageBody: 'x' })),
      'TooManyEntriesInBatchRequest',
    ],
    [
      'repeated ids',
      [
        { Id: 'same', MessageBody: 'a' },
        { Id: 'same', MessageBody: 'b' },
      ],
      'BatchEntryIdsNotDistinct',
    ],
    ['an invalid id', [{ Id: 'not valid!', MessageBody: 'a' }], 'InvalidBatchEntryId'],
  ])('rejects a batch with %s', async (_case, entries, expected) => {
    // Prepare
    const { url } = await target.createQueue('conf-batch-bad');

    // Act
    const name = await errorName(
      target.client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries })),
    );

    // Assess
    expect(name).toBe(expected);
  });

  it('deletes in a batch and reports bad receipt handles per entry', async () => {
    // Prepare
    const { url } = await target.createQueue('conf-delete-batch');
    await target.client.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'a', MessageBody: 'a' },
          { Id: 'b', MessageBody: 'b' },
        ],
      }),
    );
    const received = await receiveAtLeast(target.client, { QueueUrl: url }, 2);

    // Act
    const result = await target.client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          ...received.map((message, index) => ({ Id: `d${index}`, ReceiptHandle: message.ReceiptHandle })),
          { Id: 'garbage', ReceiptHandle: 'not-a-receipt-handle' },
        ],
      }),
    );
    const { Attributes } = await target.client.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );

    // Assess
    expect(result.Successful?.map((entry) => entry.Id).sort()).toEqual(['d0', 'd1']);
    expect(result.Failed).toEqual([
      expect.objectContaining({ Id: 'garbage', Code: 'ReceiptHandleIsInvalid', SenderFault: true }),
    ]);
    expect(Attributes).toMatchObject({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
    });
  });

  it('rejects a malformed receipt handle with ReceiptHandleIsInvalid', async () => {
    // Prepare
    const { url } = await target.createQueue('conf-bad-handle');

    // Act
    const name = await errorName(
      target.client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: 'not-a-receipt-handle' })),
    );

    // Assess
    expect(name).toBe('ReceiptHandleIsInvalid');
  });

  it('hides a received message for the visibility timeout, then redelivers it with a new receipt handle', async () => {
    // Prepare
    const { url } = await target.createQueue('conf-visibility', { VisibilityTimeout: '3' });
    await target.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'again' }));

    // Act
    const first = await target.client.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 5 }));
    const whileHidden = await target.client.send(new ReceiveMessageCommand({ QueueUrl: url }));
    const [second] = await receiveAtLeast(
      target.client,
      { QueueUrl: url, MessageSystemAttributeNames: ['ApproximateReceiveCount'] },
      1,
    );

    // Assess
    expect(first.Messages?.[0]?.Body).toBe('again');
    expect(whileHidden.Messages ?? []).toEqual([]);
    expect(second?.Body).toBe('again');
    expect(second?.ReceiptHandle).not.toBe(first.Messages?.[0]?.ReceiptHandle);
    expect(second?.Attributes?.ApproximateReceiveCount).toBe('2');
  });

  it('honours a VisibilityTimeout given on ReceiveMessage', async () => {
    // Prepare
    const { url } = await target.createQueue('conf-vt-override', { VisibilityTimeout: '600' });
    await target.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'short' }));

    // Act
    await target.client.send(
      new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 5, VisibilityTimeout: 1 }),
    );
    const again = await receiveAtLeast(target.client, { QueueUrl: url }, 1);

    // Assess
    expect(again.map((message) => message.Body)).toEqual(['short']);
  });

  it('makes a message visible at once with ChangeMessageVisibility 0 and extends it with a larger value', async () => {
    // Prepare
    const { url } = await target.createQueue('conf-cmv');
    await target.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'back' }));
    const first = await target.client.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 5 }));
    const handle = first.Messages?.[0]?.ReceiptHandle;

    // Act
    await target.client.send(
      new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: handle, VisibilityTimeout: 0 }),
    );
    const second = await target.client.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 5 }));
    const secondHandle = second.Messages?.[0]?.ReceiptHandle;
    const batch = await target.client.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'keep', ReceiptHandle: secondHandle, VisibilityTimeout: 600 },
          { Id: 'broken', ReceiptHandle: 'not-a-receipt-handle', VisibilityTimeout: 10 },
        ],
      }),
    );
    const hidden = await target.client.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1 }));

    // Assess
    expect(second.Messages?.[0]?.Body).toBe('back');
    expect(batch.Successful?.map((entry) => entry.Id)).toEqual(['keep']);
    expect(batch.Failed?.map((entry) => entry.Id)).toEqual(['broken']);
    expect(hidden.Messages ?? []).toEqual([]);
  });

  it('accepts DeleteMessage with a stale receipt handle after the message was received again', async () => {
    // Prepare
    const { url } = await target.createQueue('conf-stale-delete');
    await target.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'owned' }));
    const first = await target.client.send(
      new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 5, VisibilityTimeout: 0 }),
    );
    const second = await target.client.send(
      new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 5, VisibilityTimeout: 1 }),
    );

    // Act
    const staleDelete = await errorName(
      target.client.send(
        new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first.Messages?.[0]?.ReceiptHandle }),
      ),
    );

    // Assess: AWS documents that the request succeeds (the message might not be deleted).
    expect(second.Messages?.[0]?.Body).toBe('owned');
    expect(second.Messages?.[0]?.ReceiptHandle).not.toBe(first.Messages?.[0]?.ReceiptHandle);
    expect(staleDelete).toBe('resolved');
  });

  it('rejects ChangeMessageVisibility for a message that is no longer in flight', async () => {
    // Prepare
    const { url } = await target.createQueue('conf-cmv-expired');
    await target.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' }));
    const first = await target.client.send(
      new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 5, VisibilityTimeout: 1 }),
    );
    await sleep(1_500);

    // Act
    const name = await errorName(
      target.client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: url,
          ReceiptHandle: first.Messages?.[0]?.ReceiptHandle,
          VisibilityTimeout: 30,
        }),
      ),
    );

    // Assess
    expect(name).toBe('InvalidParameterValue');
  });

  it('delays a message by DelaySeconds and counts it as delayed meanwhile', async () => {
    // Prepare
    const { url } = await target.createQueue('conf-delay');

    // Act
    await target.client.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: 'later', DelaySeconds: 3 }),
    );
    const immediately = await target.client.send(new ReceiveMessageCommand({ QueueUrl: url }));
    const { Attributes } = await target.client.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessagesDelayed'],
      }),
    );
    const eventually = await receiveAtLeast(target.client, { QueueUrl: url }, 1);

    // Assess
    expect(immediately.Messages ?? []).toEqual([]);
    expect(Attributes?.ApproximateNumberOfMessagesDelayed).toBe('1');
    expect(eventually.map((message) => message.Body)).toEqual(['later']);
  });

  it('rejects a body over MaximumMessageSize and accepts one at the limit', async () => {
    // Prepare
    const { url } = await target.createQueue('conf-size', { MaximumMessageSize: '1024' });

    // Act
    const atLimit = errorName(
      target.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'a'.repeat(1024) })),
    );
    const over = errorName(
      target.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'a'.repeat(1025) })),
    );

    // Assess
    expect(await atLimit).toBe('resolved');
    expect(await over).toBe('InvalidParameterValue');
  });

  it('accepts a 1 MiB message when MaximumMessageSize is 1 MiB', async () => {
    // Prepare
    const { url } = await target.createQueue('conf-size-1mib');
    await target.client.send(
      new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { MaximumMessageSize: '1048576' } }),
    );
    const body = 'b'.repeat(1_048_576);

    // Act
    await target.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
    const { Messages } = await target.client.send(
      new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 5 }),
    );

    // Assess
    expect(Messages?.[0]?.Body?.length).toBe(1_048_576);
  });

  it.each([
    ['an empty body', { MessageBody: '' }, 'MissingParameter'],
    ['a control character in the body', { MessageBody: 'bad \u0001 char' }, 'InvalidMessageContents'],
    [
      'a String attribute without a value',
      { MessageBody: 'x', MessageAttributes: { a: { DataType: 'String' } } },
      'InvalidParameterValue',
    ],
    [
      'a Number attribute that is not a number',
      { MessageBody: 'x', MessageAttributes: { a: { DataType: 'Number', StringValue: 'ten' } } },
      'InvalidParameterValue',
    ],
    [
      'an attribute of unknown type',
      { MessageBody: 'x', MessageAttributes: { a: { DataType: 'Date', StringValue: 'x' } } },
      'InvalidParameterValue',
    ],
    [
      'an attribute named AWS.x',
      { MessageBody: 'x', MessageAttributes: { 'AWS.x': { DataType: 'String', StringValue: 'x' } } },
      'InvalidParameterValue',
    ],
    ['DelaySeconds 901', { MessageBody: 'x', DelaySeconds: 901 }, 'InvalidParameterValue'],
  ])('rejects a message with %s', async (_case, input, expected) => {
    // Prepare
    const { url } = await target.createQueue('conf-bad-msg');

    // Act
    const name = await errorName(target.client.send(new SendMessageCommand({ QueueUrl: url, ...input })));

    // Assess
    expect(name).toBe(expected);
  });
});
