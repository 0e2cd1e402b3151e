import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListBucketsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type LocalAws,
  type LocalAwsOptions,
  type S3EventNotification,
  startLocalAws,
} from '../../src/index.ts';
import { receiveMessage } from '../support/queue-helpers.ts';

describe('startLocalAws with a dataDir', { timeout: 60_000 }, () => {
  let dataDir: string;
  const running: LocalAws[] = [];

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'local-aws-durable-'));
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((aws) => aws.stop()));
    await rm(dataDir, { recursive: true, force: true });
  });

  async function start(options: LocalAwsOptions): Promise<LocalAws> {
    const aws = await startLocalAws(options);
    running.push(aws);
    return aws;
  }

  it('keeps objects, queued messages and S3 events across a restart', async () => {
    // Prepare
    const options: LocalAwsOptions = {
      dataDir,
      queues: [{ name: 'jobs', deadLetter: { name: 'jobs-dlq', maxReceiveCount: 3 } }],
      buckets: ['media'],
      notifications: [{ bucket: 'media', queue: 'jobs', prefix: 'uploads/' }],
    };
    const first = await start(options);
    const s3 = new S3Client(first.clientConfig().s3);
    const sqs = new SQSClient(first.clientConfig().sqs);
    await s3.send(new PutObjectCommand({ Bucket: 'media', Key: 'uploads/kept.txt', Body: 'still here' }));
    await sqs.send(
      new SendMessageCommand({ QueueUrl: first.queueUrl('jobs'), MessageBody: 'plain message' }),
    );
    s3.destroy();
    sqs.destroy();

    // Act
    await first.stop();
    const second = await start(options);
    const s3Again = new S3Client(second.clientConfig().s3);
    const sqsAgain = new SQSClient(second.clientConfig().sqs);

    // Assess
    const object = await s3Again.send(new GetObjectCommand({ Bucket: 'media', Key: 'uploads/kept.txt' }));
    expect(await object.Body?.transformToString()).toBe('still here');
    const { Buckets } = await s3Again.send(new ListBucketsCommand({}));
    expect(Buckets?.map((bucket) => bucket.Name)).toEqual(['media']);
    const bodies = [
      (await receiveMessage(sqsAgain, second.queueUrl('jobs'))).Body,
      (await receiveMessage(sqsAgain, second.queueUrl('jobs'))).Body,
    ];
    expect(bodies).toContain('plain message');
    const event = JSON.parse(bodies.find((body) => body !== 'plain message') ?? '{}') as S3EventNotification;
    expect(event.Records[0]?.s3.object.key).toBe('uploads/kept.txt');
    s3Again.destroy();
    sqsAgain.destroy();
  });

  it('restarts with a changed queue setting and keeps the queue', async () => {
    // Prepare
    const first = await start({
      dataDir,
      queues: [{ name: 'jobs', attributes: { VisibilityTimeout: '30' } }],
    });
    await first.sqs.sendMessage('jobs', 'survivor');
    await first.stop();

    // Act
    const second = await start({
      dataDir,
      queues: [{ name: 'jobs', attributes: { VisibilityTimeout: '90' } }],
    });
    const sqs = new SQSClient(second.clientConfig().sqs);

    // Assess
    const message = await receiveMessage(sqs, second.queueUrl('jobs'));
    expect(message.Body).toBe('survivor');
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: second.queueUrl('jobs'),
        AttributeNames: ['VisibilityTimeout'],
      }),
    );
    expect(Attributes?.VisibilityTimeout).toBe('90');
    sqs.destroy();
  });
});
