import {
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { type LocalAwsQueueConfig, startLocalAws } from '@media-server/local-aws';

/** A local-aws on loopback with an SQS client pointed at it. */
export interface TestAws {
  sqs: SQSClient;
  url(name: string): string;
  endpoint: string;
  env(): Record<string, string>;
  stop(): Promise<void>;
}

/** Starts local-aws (in memory, port 0) with `queues`. Always `stop()` it. */
export async function startTestAws(queues: LocalAwsQueueConfig[]): Promise<TestAws> {
  const aws = await startLocalAws({ queues });
  const sqs = new SQSClient({ ...aws.clientConfig().sqs, maxAttempts: 1 });
  return {
    sqs,
    url: (name) => aws.queueUrl(name),
    endpoint: aws.sqsEndpoint,
    env: () => aws.env(),
    stop: async () => {
      sqs.destroy();
      await aws.stop();
    },
  };
}

/** Sends bodies in batches of 10; FIFO queues get `group(i)` as MessageGroupId. Returns the MessageIds in order. */
export async function sendAll(
  sqs: SQSClient,
  queueUrl: string,
  bodies: string[],
  group?: (index: number) => string,
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < bodies.length; i += 10) {
    const entries: SendMessageBatchRequestEntry[] = bodies.slice(i, i + 10).map((body, j) => ({
      Id: `e${j}`,
      MessageBody: body,
      ...(group ? { MessageGroupId: group(i + j), MessageDeduplicationId: `d${i + j}` } : {}),
    }));
    const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
    if ((out.Failed ?? []).length > 0) throw new Error(`send failed: ${JSON.stringify(out.Failed)}`);
    const byId = new Map((out.Successful ?? []).map((s) => [s.Id, s.MessageId ?? '']));
    for (const entry of entries) ids.push(byId.get(entry.Id) ?? '');
  }
  return ids;
}

/** One ReceiveMessage with the receive count attribute. */
export async function receiveRaw(
  sqs: SQSClient,
  queueUrl: string,
  waitTimeSeconds = 0,
  max = 10,
): Promise<Message[]> {
  const out = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: max,
      WaitTimeSeconds: waitTimeSeconds,
      MessageSystemAttributeNames: ['ApproximateReceiveCount'],
    }),
  );
  return out.Messages ?? [];
}

/** `ApproximateNumberOfMessages` + `…NotVisible` + `…Delayed` of a queue. */
export async function queueCounts(
  sqs: SQSClient,
  queueUrl: string,
): Promise<{ visible: number; inFlight: number; delayed: number }> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  const a = out.Attributes ?? {};
  return {
    visible: Number(a.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(a.ApproximateNumberOfMessagesDelayed ?? 0),
  };
}

/** Polls `check` every 25 ms until it returns a truthy value; throws after `timeoutMs` (generous deadlines only). */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<Exclude<T, undefined | null | false | 0 | ''>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as Exclude<T, undefined | null | false | 0 | ''>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Receives until something arrives (or throws after `timeoutMs`). */
export function receiveSome(sqs: SQSClient, queueUrl: string, timeoutMs = 20_000): Promise<Message[]> {
  return waitFor(
    async () => {
      const messages = await receiveRaw(sqs, queueUrl, 1);
      return messages.length > 0 ? messages : undefined;
    },
    timeoutMs,
    `a message on ${queueUrl}`,
  );
}
