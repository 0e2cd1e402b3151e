import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DeleteQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { type LocalAws, NotificationDeliveryError, startLocalAws } from '../../src/index.ts';

describe('notification delivery failures', { timeout: 60_000 }, () => {
  let aws: LocalAws | undefined;

  afterEach(async () => {
    await aws?.stop();
  });

  it('reports an event whose queue is gone to onNotificationError and still stores the object', async () => {
    // Prepare
    const errors: NotificationDeliveryError[] = [];
    aws = await startLocalAws({
      queues: [{ name: 'jobs' }],
      buckets: ['media'],
      notifications: [{ bucket: 'media', queue: 'jobs' }],
      onNotificationError: (error) => errors.push(error),
    });
    const sqs = new SQSClient(aws.clientConfig().sqs);
    const s3 = new S3Client(aws.clientConfig().s3);
    await sqs.send(new DeleteQueueCommand({ QueueUrl: aws.queueUrl('jobs') }));

    // Act
    const put = await s3.send(new PutObjectCommand({ Bucket: 'media', Key: 'a b.txt', Body: 'kept' }));

    // Assess
    expect(put.ETag).toBeDefined();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(NotificationDeliveryError);
    expect(errors[0]).toMatchObject({
      code: 'NotificationDeliveryFailed',
      bucket: 'media',
      key: 'a b.txt',
      queue: 'jobs',
    });
    sqs.destroy();
    s3.destroy();
  });

  it('refuses a FIFO queue as a notification destination, as S3 does', async () => {
    await expect(
      startLocalAws({
        queues: [{ name: 'jobs.fifo' }],
        buckets: ['media'],
        notifications: [{ bucket: 'media', queue: 'jobs.fifo' }],
      }),
    ).rejects.toThrow(/standard queues only/);
  });
});
