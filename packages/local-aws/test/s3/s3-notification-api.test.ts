import {
  type Event,
  GetBucketNotificationConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalAws, type S3EventNotification, type S3TestEvent, startLocalAws } from '../../src/index.ts';
import { countMessages, receiveJson } from '../support/queue-helpers.ts';

describe('bucket notification configuration through the S3 API', { timeout: 60_000 }, () => {
  let aws: LocalAws;
  let s3: S3Client;
  let sqs: SQSClient;
  let queueArn: string;

  beforeAll(async () => {
    aws = await startLocalAws({
      queues: [{ name: 'jobs' }, { name: 'preset' }],
      buckets: ['media', 'other'],
      notifications: [{ bucket: 'other', queue: 'preset', prefix: 'in/', id: 'from-options' }],
    });
    s3 = new S3Client(aws.clientConfig().s3);
    sqs = new SQSClient(aws.clientConfig().sqs);
    const account = new URL(aws.queueUrl('jobs')).pathname.split('/')[1];
    queueArn = `arn:aws:sqs:us-east-1:${account}:jobs`;
  }, 30_000);

  afterAll(async () => {
    s3?.destroy();
    sqs?.destroy();
    await aws?.stop();
  });

  it('shows configurations set by options', async () => {
    // Act
    const config = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: 'other' }));

    // Assess
    expect(config.QueueConfigurations).toEqual([
      {
        Id: 'from-options',
        QueueArn: queueArn.replace(/jobs$/, 'preset'),
        Events: ['s3:ObjectCreated:*'],
        Filter: { Key: { FilterRules: [{ Name: 'Prefix', Value: 'in/' }] } },
      },
    ]);
  });

  it('takes PutBucketNotificationConfiguration, sends s3:TestEvent, then delivers matching events', async () => {
    // Act
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: 'media',
        NotificationConfiguration: {
          QueueConfigurations: [
            {
              Id: 'mp4-uploads',
              QueueArn: queueArn,
              Events: ['s3:ObjectCreated:Put', 's3:ObjectCreated:CompleteMultipartUpload'],
              Filter: {
                Key: {
                  FilterRules: [
                    { Name: 'prefix', Value: 'uploads/' },
                    { Name: 'suffix', Value: '.mp4' },
                  ],
                },
              },
            },
          ],
        },
      }),
    );
    const test = await receiveJson<S3TestEvent>(sqs, aws.queueUrl('jobs'));
    await s3.send(new PutObjectCommand({ Bucket: 'media', Key: 'uploads/a.mov', Body: 'skip' }));
    await s3.send(new PutObjectCommand({ Bucket: 'media', Key: 'uploads/a.mp4', Body: 'take' }));
    const { body: event } = await receiveJson<S3EventNotification>(sqs, aws.queueUrl('jobs'));
    const read = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: 'media' }));

    // Assess
    expect(test.body).toMatchObject({ Event: 's3:TestEvent', Bucket: 'media' });
    expect(event.Records[0]?.s3.configurationId).toBe('mp4-uploads');
    expect(event.Records[0]?.s3.object.key).toBe('uploads/a.mp4');
    expect(await countMessages(sqs, aws.queueUrl('jobs'))).toBe(0);
    expect(read.QueueConfigurations?.[0]).toMatchObject({
      Id: 'mp4-uploads',
      QueueArn: queueArn,
      Events: ['s3:ObjectCreated:Put', 's3:ObjectCreated:CompleteMultipartUpload'],
    });
  });

  it('removes the configuration when an empty one is put', async () => {
    // Act
    await s3.send(
      new PutBucketNotificationConfigurationCommand({ Bucket: 'media', NotificationConfiguration: {} }),
    );
    await s3.send(new PutObjectCommand({ Bucket: 'media', Key: 'uploads/b.mp4', Body: 'quiet' }));

    // Assess
    expect(await countMessages(sqs, aws.queueUrl('jobs'))).toBe(0);
    const read = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: 'media' }));
    expect(read.QueueConfigurations ?? []).toEqual([]);
  });

  it.each([
    ['a queue that does not exist', 'missing', 's3:ObjectCreated:*'],
    ['an event type it does not send', 'jobs', 's3:ObjectRemoved:*'],
  ] as const)('answers InvalidArgument for %s', async (_, queue, event: Event) => {
    // Act
    const attempt = s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: 'media',
        NotificationConfiguration: {
          QueueConfigurations: [{ QueueArn: queueArn.replace(/jobs$/, queue), Events: [event] }],
        },
      }),
    );

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(S3ServiceException);
    await expect(attempt).rejects.toMatchObject({
      name: 'InvalidArgument',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('answers NoSuchBucket for a missing bucket', async () => {
    await expect(
      s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: 'ghost' })),
    ).rejects.toMatchObject({
      name: 'NoSuchBucket',
    });
  });
});
