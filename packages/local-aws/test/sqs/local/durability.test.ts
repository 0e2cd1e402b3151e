import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const CHILD = join(dirname(fileURLToPath(import.meta.url)), '..', 'support', 'sqs-child.ts');

interface Child {
  process: ChildProcess;
  endpoint: string;
}

async function startChild(dataDir: string): Promise<Child> {
  const child = spawn(process.execPath, ['--conditions=@media-server/source', CHILD, dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const endpoint = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`SQS child exited early with ${code}`)));
    lines.once('line', (line) => resolve((JSON.parse(line) as { endpoint: string }).endpoint));
  });
  child.removeAllListeners('exit');
  return { process: child, endpoint };
}

function clientFor(endpoint: string): SQSClient {
  return new SQSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
}

function killed(child: Child): Promise<void> {
  return new Promise((resolve) => {
    if (child.process.exitCode !== null || child.process.signalCode !== null) resolve();
    else child.process.once('exit', () => resolve());
  });
}

describe('durability of the SQS server (kill -9)', () => {
  let dataDir: string;
  const children: Child[] = [];

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'local-aws-sqs-kill-'));
  });

  afterEach(async () => {
    for (const child of children.splice(0)) {
      child.process.kill('SIGKILL');
      await killed(child);
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps every acknowledged send and forgets every acknowledged delete across kill -9 under load', {
    timeout: 60_000,
  }, async () => {
    // Prepare
    const first = await startChild(dataDir);
    children.push(first);
    const client = clientFor(first.endpoint);
    const { QueueUrl } = await client.send(
      new CreateQueueCommand({ QueueName: 'durable', Attributes: { VisibilityTimeout: '1' } }),
    );
    const acknowledged = new Set<string>();
    const deleted = new Set<string>();
    let stop = false;
    const sender = async (worker: number): Promise<void> => {
      for (let round = 0; !stop; round++) {
        try {
          if (round % 2 === 0) {
            const { Successful } = await client.send(
              new SendMessageBatchCommand({
                QueueUrl,
                Entries: Array.from({ length: 10 }, (_, index) => ({
                  Id: `e${index}`,
                  MessageBody: `w${worker}-r${round}-${index}`,
                })),
              }),
            );
            for (const entry of Successful ?? []) if (entry.MessageId) acknowledged.add(entry.MessageId);
          } else {
            const { MessageId } = await client.send(
              new SendMessageCommand({ QueueUrl, MessageBody: `w${worker}-r${round}` }),
            );
            if (MessageId) acknowledged.add(MessageId);
          }
        } catch {
          return;
        }
      }
    };
    const deleter = async (): Promise<void> => {
      while (!stop) {
        try {
          const { Messages = [] } = await client.send(
            new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 5 }),
          );
          if (Messages.length === 0) continue;
          const { Successful = [] } = await client.send(
            new DeleteMessageBatchCommand({
              QueueUrl,
              Entries: Messages.map((message, index) => ({
                Id: `d${index}`,
                ReceiptHandle: message.ReceiptHandle,
              })),
            }),
          );
          for (const entry of Successful) {
            const id = Messages[Number(entry.Id?.slice(1))]?.MessageId;
            if (id !== undefined) deleted.add(id);
          }
        } catch {
          return;
        }
      }
    };
    const load = Promise.all([sender(0), sender(1), sender(2), sender(3), deleter()]);

    // Act
    while (acknowledged.size < 400) await new Promise((resolve) => setTimeout(resolve, 5));
    first.process.kill('SIGKILL');
    await killed(first);
    stop = true;
    await load;
    client.destroy();
    const second = await startChild(dataDir);
    children.push(second);
    const again = clientFor(second.endpoint);
    const { QueueUrl: urlAgain } = await again.send(new GetQueueUrlCommand({ QueueName: 'durable' }));
    const expected = [...acknowledged].filter((id) => !deleted.has(id));
    const received = new Set<string>();
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && expected.some((id) => !received.has(id))) {
      const { Messages = [] } = await again.send(
        new ReceiveMessageCommand({
          QueueUrl: urlAgain,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          VisibilityTimeout: 600,
        }),
      );
      for (const message of Messages) if (message.MessageId) received.add(message.MessageId);
    }
    again.destroy();

    // Assess
    expect(deleted.size).toBeGreaterThan(0);
    expect(expected.filter((id) => !received.has(id))).toEqual([]);
    expect([...deleted].filter((id) => received.has(id))).toEqual([]);
  });
});
