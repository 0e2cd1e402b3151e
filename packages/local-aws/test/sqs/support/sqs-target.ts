import { randomUUID } from 'node:crypto';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  type Message,
  ReceiveMessageCommand,
  type ReceiveMessageCommandInput,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { type SqsServer, startSqsServer } from '../../../src/sqs/index.ts';

/**
 * The server a conformance test talks to: `SQS_ENDPOINT` when set (moto, ElasticMQ, real AWS...),
 * otherwise a fresh in-memory local-aws SQS server on 127.0.0.1:0.
 */
export interface SqsTarget {
  readonly endpoint: string;
  /** SDK v3 client (JSON protocol, MD5 checksum validation on). */
  readonly client: SQSClient;
  /** The local-aws server when the target is local-aws. */
  readonly server: SqsServer | undefined;
  /** Creates a queue with a unique name (suffix kept), deleted again by `stop()`. */
  createQueue(prefix: string, attributes?: Record<string, string>): Promise<{ url: string; name: string }>;
  stop(): Promise<void>;
}

export async function startSqsTarget(): Promise<SqsTarget> {
  const external = process.env.SQS_ENDPOINT;
  const server = external === undefined || external === '' ? await startSqsServer() : undefined;
  const endpoint = server?.endpoint ?? (external as string);
  const client = new SQSClient({
    endpoint,
    region: process.env.AWS_REGION ?? 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  const created: string[] = [];
  return {
    endpoint,
    client,
    server,
    async createQueue(prefix, attributes = {}) {
      const fifo = prefix.endsWith('.fifo');
      const base = fifo ? prefix.slice(0, -'.fifo'.length) : prefix;
      const name = `${base}-${randomUUID().slice(0, 8)}${fifo ? '.fifo' : ''}`;
      const { QueueUrl } = await client.send(
        new CreateQueueCommand({
          QueueName: name,
          Attributes: fifo ? { FifoQueue: 'true', ...attributes } : attributes,
        }),
      );
      if (QueueUrl === undefined) throw new Error('CreateQueue returned no QueueUrl');
      created.push(QueueUrl);
      return { url: QueueUrl, name };
    },
    async stop() {
      if (server === undefined) {
        await Promise.allSettled(
          created.map((url) => client.send(new DeleteQueueCommand({ QueueUrl: url }))),
        );
      }
      client.destroy();
      await server?.stop();
    },
  };
}

/** Receives until `count` messages arrived or `deadlineMs` passed (short polls of 1 s). */
export async function receiveAtLeast(
  client: SQSClient,
  input: ReceiveMessageCommandInput,
  count: number,
  deadlineMs = 15_000,
): Promise<Message[]> {
  const messages: Message[] = [];
  const deadline = Date.now() + deadlineMs;
  while (messages.length < count && Date.now() < deadline) {
    const { Messages } = await client.send(
      new ReceiveMessageCommand({ WaitTimeSeconds: 1, MaxNumberOfMessages: 10, ...input }),
    );
    messages.push(...(Messages ?? []));
  }
  return messages;
}

/** Resolves after `ms` (only for waiting out AWS-side timers such as a 1 s visibility timeout). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The `name` of what `promise` rejects with (SDK error class name), or `'resolved'`. */
export async function errorName(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    return (error as Error).name;
  }
}
