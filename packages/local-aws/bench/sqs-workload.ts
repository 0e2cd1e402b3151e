import { Agent } from 'node:http';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { RawJsonClient } from './raw-json-client.ts';

/** An SQS client tuned for load: keep-alive, many sockets, no retries. */
export function benchClient(endpoint: string): SQSClient {
  return new SQSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    maxAttempts: 1,
    requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: 128 }) } as never,
  });
}

export async function createQueue(client: SQSClient, name: string): Promise<string> {
  const { QueueUrl } = await client.send(
    new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '120' } }),
  );
  if (QueueUrl === undefined) throw new Error('no QueueUrl');
  return QueueUrl;
}

export async function deleteQueue(client: SQSClient, url: string): Promise<void> {
  await client.send(new DeleteQueueCommand({ QueueUrl: url })).catch(() => undefined);
}

const BODY = JSON.stringify({
  jobId: '00000000-0000-0000-0000-000000000000',
  key: 'uploads/example/clip.mp4',
  size: 123456789,
});

/** Sends `count` messages in batches of 10 with `concurrency` requests in flight. */
export async function prefill(
  client: SQSClient,
  url: string,
  count: number,
  concurrency = 16,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const size = Math.min(10, count - next);
        next += size;
        await client.send(
          new SendMessageBatchCommand({
            QueueUrl: url,
            Entries: Array.from({ length: size }, (_, index) => ({ Id: `p${index}`, MessageBody: BODY })),
          }),
        );
      }
    }),
  );
}

/**
 * Round trips for `seconds`: each worker sends (a batch of 10 or 1 message), receives as many and deletes
 * what it received, so the queue length stays where the prefill put it. Returns deleted messages per second.
 */
export async function roundTrips(
  client: SQSClient,
  url: string,
  mode: 'batch' | 'single',
  seconds: number,
  workers: number,
): Promise<number> {
  const end = performance.now() + seconds * 1000;
  const start = performance.now();
  let deleted = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (performance.now() < end) {
        if (mode === 'batch') {
          await client.send(
            new SendMessageBatchCommand({
              QueueUrl: url,
              Entries: Array.from({ length: 10 }, (_, index) => ({ Id: `s${index}`, MessageBody: BODY })),
            }),
          );
          const { Messages = [] } = await client.send(
            new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }),
          );
          if (Messages.length === 0) continue;
          const { Successful = [] } = await client.send(
            new DeleteMessageBatchCommand({
              QueueUrl: url,
              Entries: Messages.map((message, index) => ({
                Id: `d${index}`,
                ReceiptHandle: message.ReceiptHandle,
              })),
            }),
          );
          deleted += Successful.length;
        } else {
          await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: BODY }));
          const { Messages = [] } = await client.send(
            new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1 }),
          );
          const message = Messages[0];
          if (message === undefined) continue;
          await client.send(
            new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }),
          );
          deleted += 1;
        }
      }
    }),
  );
  return deleted / ((performance.now() - start) / 1000);
}

/** Long-poll wake latency: a receive waits on an empty queue; time from the send call to the receive's return. */
export async function wakeLatencies(client: SQSClient, url: string, samples: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let sample = 0; sample < samples; sample++) {
    const waiting = client.send(
      new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20, MaxNumberOfMessages: 1 }),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    const sentAt = performance.now();
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: BODY }));
    const { Messages = [] } = await waiting;
    latencies.push(performance.now() - sentAt);
    const message = Messages[0];
    if (message !== undefined)
      await client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }));
  }
  return latencies;
}

/** Batched round trips (as {@link roundTrips}) driven by the minimal {@link RawJsonClient}. */
export async function rawBatchedRoundTrips(
  endpoint: string,
  url: string,
  seconds: number,
  workers: number,
): Promise<number> {
  const client = new RawJsonClient(endpoint);
  const entries = Array.from({ length: 10 }, (_, index) => ({ Id: `s${index}`, MessageBody: BODY }));
  const end = performance.now() + seconds * 1000;
  const start = performance.now();
  let deleted = 0;
  try {
    await Promise.all(
      Array.from({ length: workers }, async () => {
        while (performance.now() < end) {
          await client.call('SendMessageBatch', { QueueUrl: url, Entries: entries });
          const received = await client.call('ReceiveMessage', { QueueUrl: url, MaxNumberOfMessages: 10 });
          const messages = (received.Messages ?? []) as Array<{ ReceiptHandle: string }>;
          if (messages.length === 0) continue;
          const result = await client.call('DeleteMessageBatch', {
            QueueUrl: url,
            Entries: messages.map((message, index) => ({
              Id: `d${index}`,
              ReceiptHandle: message.ReceiptHandle,
            })),
          });
          deleted += ((result.Successful ?? []) as unknown[]).length;
        }
      }),
    );
  } finally {
    client.destroy();
  }
  return deleted / ((performance.now() - start) / 1000);
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}
