import { createServer, type Server } from 'node:net';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  InvalidConfigurationError,
  type LocalAws,
  type LocalAwsOptions,
  PortInUseError,
  startLocalAws,
} from '../../src/index.ts';

describe('startLocalAws', { timeout: 60_000 }, () => {
  const running: LocalAws[] = [];
  const blockers: Server[] = [];

  afterEach(async () => {
    await Promise.all(running.splice(0).map((aws) => aws.stop()));
    await Promise.all(blockers.splice(0).map((server) => new Promise((done) => server.close(done))));
  });

  async function start(options?: LocalAwsOptions): Promise<LocalAws> {
    const aws = await startLocalAws(options);
    running.push(aws);
    return aws;
  }

  it('starts both servers on free loopback ports with no options', async () => {
    // Act
    const aws = await start();

    // Assess
    expect(aws.sqsEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(aws.s3Endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(aws.sqsEndpoint).not.toBe(aws.s3Endpoint);
    expect(aws.region).toBe('us-east-1');
    expect(aws.env()).toEqual({
      AWS_ENDPOINT_URL_SQS: aws.sqsEndpoint,
      AWS_ENDPOINT_URL_S3: aws.s3Endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: aws.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: aws.credentials.secretAccessKey,
    });
  });

  it('creates the dead-letter queue first and sets RedrivePolicy on the source queue', async () => {
    // Prepare
    const aws = await start({
      queues: [
        {
          name: 'jobs',
          attributes: { VisibilityTimeout: '45' },
          deadLetter: { name: 'jobs-dlq', maxReceiveCount: 4 },
        },
      ],
      buckets: ['media', 'other'],
    });
    const sqs = new SQSClient(aws.clientConfig().sqs);
    const s3 = new S3Client(aws.clientConfig().s3);

    // Act
    const { QueueUrls } = await sqs.send(new ListQueuesCommand({}));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: aws.queueUrl('jobs'), AttributeNames: ['All'] }),
    );
    const dlq = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: aws.queueUrl('jobs-dlq'), AttributeNames: ['QueueArn'] }),
    );
    const { Buckets } = await s3.send(new ListBucketsCommand({}));

    // Assess
    expect(QueueUrls?.sort()).toEqual([aws.queueUrl('jobs'), aws.queueUrl('jobs-dlq')].sort());
    expect(Attributes?.VisibilityTimeout).toBe('45');
    expect(JSON.parse(Attributes?.RedrivePolicy ?? '{}')).toEqual({
      deadLetterTargetArn: dlq.Attributes?.QueueArn,
      maxReceiveCount: 4,
    });
    expect(Buckets?.map((bucket) => bucket.Name).sort()).toEqual(['media', 'other']);
    sqs.destroy();
    s3.destroy();
  });

  it('rejects a notification to a queue that does not exist, and leaves nothing running', async () => {
    // Act
    const attempt = startLocalAws({
      buckets: ['media'],
      notifications: [{ bucket: 'media', queue: 'nope' }],
    });

    // Assess
    await expect(attempt).rejects.toThrow(InvalidConfigurationError);
    await expect(attempt).rejects.toThrow(/queue "nope"/);
  });

  it('rejects a notification on a bucket that does not exist', async () => {
    await expect(
      startLocalAws({ queues: [{ name: 'q' }], notifications: [{ bucket: 'ghost', queue: 'q' }] }),
    ).rejects.toThrow(/bucket "ghost"/);
  });

  it('rejects bad options before starting anything', async () => {
    await expect(startLocalAws({ sqsPort: 70_000 })).rejects.toThrow(InvalidConfigurationError);
    await expect(
      startLocalAws({ queues: [{ name: 'a', deadLetter: { name: 'a', maxReceiveCount: 1 } }] }),
    ).rejects.toThrow(/cycle/);
    await expect(
      startLocalAws({ queues: [{ name: 'a', deadLetter: { name: 'b', maxReceiveCount: 0 } }] }),
    ).rejects.toThrow(/maxReceiveCount/);
  });

  it('rejects an invalid bucket name', async () => {
    await expect(startLocalAws({ buckets: ['Media_Uploads'] })).rejects.toThrow(
      /invalid bucket name "Media_Uploads"/,
    );
  });

  it('turns an SQS refusal of a queue into InvalidConfigurationError', async () => {
    // Act
    const attempt = startLocalAws({ queues: [{ name: 'bad name!' }] });

    // Assess
    await expect(attempt).rejects.toThrow(InvalidConfigurationError);
    await expect(attempt).rejects.toThrow(/cannot set up queue "bad name!"/);
  });

  it('turns an invalid queue attribute into InvalidConfigurationError', async () => {
    await expect(
      startLocalAws({ queues: [{ name: 'q', attributes: { VisibilityTimeout: 'forever' } }] }),
    ).rejects.toThrow(InvalidConfigurationError);
  });

  it('reports a taken S3 port as PortInUseError', async () => {
    // Prepare
    const blocker = createServer();
    blockers.push(blocker);
    await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
    const port = (blocker.address() as { port: number }).port;

    // Act
    const attempt = startLocalAws({ s3Port: port });

    // Assess
    await expect(attempt).rejects.toThrow(PortInUseError);
    await expect(attempt).rejects.toMatchObject({ code: 'PortInUse', service: 's3', port });
  });

  it('reports a taken SQS port as PortInUseError', async () => {
    // Prepare
    const blocker = createServer();
    blockers.push(blocker);
    await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
    const port = (blocker.address() as { port: number }).port;

    // Act / Assess
    await expect(startLocalAws({ sqsPort: port })).rejects.toMatchObject({
      code: 'PortInUse',
      service: 'sqs',
    });
  });

  it('stop() can be called twice and frees the ports', async () => {
    // Prepare
    const aws = await startLocalAws();
    const s3Port = Number(new URL(aws.s3Endpoint).port);

    // Act
    await aws.stop();
    await aws.stop();

    // Assess: the port can be taken again
    const again = await start({ s3Port });
    expect(again.s3Endpoint).toBe(aws.s3Endpoint);
  });
});
