import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidConfigurationError, LocalAwsError, PortInUseError } from '../../../src/local-aws-error.ts';
import {
  QueueDoesNotExistError,
  type SqsServer,
  SqsServerClosedError,
  SqsServerError,
  startSqsServer,
} from '../../../src/sqs/index.ts';

function clientFor(server: SqsServer): SQSClient {
  return new SQSClient({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'any', secretAccessKey: 'thing' },
    maxAttempts: 1,
  });
}

describe('startSqsServer (in-process API)', () => {
  const servers: SqsServer[] = [];
  const dirs: string[] = [];

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.stop()));
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  async function start(dataDir?: string): Promise<SqsServer> {
    const server = await startSqsServer(dataDir === undefined ? {} : { dataDir });
    servers.push(server);
    return server;
  }

  it('refuses a bad latencyMs and a taken port with LocalAwsErrors', async () => {
    // Prepare
    const server = await start();
    const port = Number(new URL(server.endpoint).port);

    // Act
    const badLatency = startSqsServer({ latencyMs: -1 });
    const taken = startSqsServer({ port });

    // Assess
    await expect(badLatency).rejects.toBeInstanceOf(InvalidConfigurationError);
    await expect(taken).rejects.toBeInstanceOf(PortInUseError);
    await expect(taken).rejects.toMatchObject({ code: 'PortInUse', service: 'sqs', port });
  });

  it('listens on 127.0.0.1 with queue URLs of the form /<account>/<name>', async () => {
    // Act
    const server = await start();
    const url = await server.createQueue('jobs');

    // Assess
    expect(server.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(url).toBe(`${server.endpoint}/000000000000/jobs`);
    expect(server.queueUrl('jobs')).toBe(url);
  });

  it('creates queues idempotently and makes .fifo names FIFO queues', async () => {
    // Prepare
    const server = await start();
    const client = clientFor(server);

    // Act
    const first = await server.createQueue('same', { VisibilityTimeout: '10' });
    const second = await server.createQueue('same', { VisibilityTimeout: '10' });
    const conflict = await server.createQueue('same', { VisibilityTimeout: '11' }).then(
      () => undefined,
      (error: unknown) => error,
    );
    const fifo = await server.createQueue('ordered.fifo');
    const { Attributes } = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: fifo, AttributeNames: ['FifoQueue'] }),
    );
    client.destroy();

    // Assess
    expect(second).toBe(first);
    expect(conflict).toBeInstanceOf(SqsServerError);
    expect(conflict).toBeInstanceOf(LocalAwsError);
    expect(conflict).toMatchObject({ code: 'SqsRequestFailed', awsCode: 'QueueNameExists' });
    expect(Attributes?.FifoQueue).toBe('true');
  });

  it('wakes a long poll at once when a message is sent in-process', { timeout: 10_000 }, async () => {
    // Prepare
    const server = await start();
    const client = clientFor(server);
    const url = await server.createQueue('wake');
    const waiting = client.send(
      new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20, MessageAttributeNames: ['All'] }),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));

    // Act
    const { messageId } = await server.sendMessage('wake', 'in-process', {
      messageAttributes: { bytes: { DataType: 'Binary', BinaryValue: new Uint8Array([9, 8, 7]) } },
    });
    const { Messages } = await waiting;
    client.destroy();

    // Assess
    expect(Messages?.[0]?.MessageId).toBe(messageId);
    expect(Messages?.[0]?.Body).toBe('in-process');
    expect(Messages?.[0]?.MessageAttributes?.bytes?.BinaryValue).toEqual(new Uint8Array([9, 8, 7]));
  });

  it('rejects an in-process send to a missing queue with QueueDoesNotExistError', async () => {
    // Prepare
    const server = await start();

    // Act
    const sending = server.sendMessage('missing', 'x');

    // Assess
    await expect(sending).rejects.toBeInstanceOf(QueueDoesNotExistError);
    await expect(sending).rejects.toMatchObject({ code: 'SqsRequestFailed', awsCode: 'QueueDoesNotExist' });
  });

  it('ends pending long polls on stop and refuses work afterwards', { timeout: 10_000 }, async () => {
    // Prepare
    const server = await startSqsServer();
    const client = clientFor(server);
    const url = await server.createQueue('stopping');
    const waiting = client.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }));
    await new Promise((resolve) => setTimeout(resolve, 100));

    // Act
    await server.stop();
    const outcome = await waiting.then(
      (result) => result.Messages ?? [],
      (error: Error) => error,
    );
    await server.stop();
    const afterStop = server.sendMessage('stopping', 'late');
    client.destroy();

    // Assess
    expect(outcome).toEqual([]);
    await expect(afterStop).rejects.toBeInstanceOf(SqsServerClosedError);
  });

  // A request cut off mid-body must not keep stop() waiting (its drain fallback is 5 s; the test allows 4 s).
  it('survives a request cut off mid-body and still stops promptly', { timeout: 4_000 }, async () => {
    // Prepare
    const server = await startSqsServer();
    const url = await server.createQueue('cut');
    const { port } = new URL(server.endpoint);

    // Act
    await new Promise<void>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(
          'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.0\r\n' +
            'X-Amz-Target: AmazonSQS.SendMessage\r\nContent-Length: 1000\r\n\r\n{"QueueUrl":',
          () => {
            socket.destroy();
            resolve();
          },
        );
      });
      socket.on('error', reject);
    });
    const client = clientFor(server);
    const sent = await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'after the cut' }));
    client.destroy();
    await server.stop();

    // Assess
    expect(sent.MessageId).toBeTruthy();
  });

  it('keeps queues, attributes and messages across a clean restart on the same dataDir', async () => {
    // Prepare
    const dataDir = await mkdtemp(join(tmpdir(), 'local-aws-sqs-restart-'));
    dirs.push(dataDir);
    const first = await startSqsServer({ dataDir });
    const client = clientFor(first);
    const url = await first.createQueue('kept', { VisibilityTimeout: '7' });
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'survives' }));
    client.destroy();

    // Act
    await first.stop();
    const second = await start(dataDir);
    const again = clientFor(second);
    const { Attributes } = await again.send(
      new GetQueueAttributesCommand({
        QueueUrl: second.queueUrl('kept'),
        AttributeNames: ['VisibilityTimeout'],
      }),
    );
    const { Messages } = await again.send(
      new ReceiveMessageCommand({ QueueUrl: second.queueUrl('kept'), WaitTimeSeconds: 2 }),
    );
    again.destroy();

    // Assess
    expect(Attributes?.VisibilityTimeout).toBe('7');
    expect(Messages?.map((message) => message.Body)).toEqual(['survives']);
  });
});
