import {
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SqsServer, startSqsServer } from '../../../src/sqs/index.ts';

// AWS: "If you use an old ReceiptHandle, the request will succeed, but the message might not be deleted."
// local-aws makes that deterministic: only the latest receipt handle deletes, so a slow consumer whose
// visibility timeout ran out cannot delete the message another consumer is now working on.
describe('stale receipt handles (local-aws)', () => {
  let server: SqsServer;
  let client: SQSClient;
  beforeAll(async () => {
    server = await startSqsServer();
    client = new SQSClient({
      endpoint: server.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
  });
  afterAll(async () => {
    client.destroy();
    await server.stop();
  });

  it('keeps the message when an older receipt handle deletes it, and deletes it with the latest one', async () => {
    // Prepare
    const url = await server.createQueue('stale');
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'owned' }));
    const first = await client.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 0 }));
    const second = await client.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 0 }));

    // Act
    await client.send(
      new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first.Messages?.[0]?.ReceiptHandle }),
    );
    const afterStale = await client.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 0 }));
    const latest = afterStale.Messages?.[0]?.ReceiptHandle;
    await client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: latest }));
    const afterLatest = await client.send(new ReceiveMessageCommand({ QueueUrl: url }));

    // Assess
    expect(second.Messages?.[0]?.Body).toBe('owned');
    expect(afterStale.Messages?.map((message) => message.Body)).toEqual(['owned']);
    expect(afterLatest.Messages ?? []).toEqual([]);
  });
});
