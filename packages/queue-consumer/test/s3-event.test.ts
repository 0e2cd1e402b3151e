import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { startLocalAws } from '@media-server/local-aws';
import { expect, test } from 'vitest';
import { parseS3Event, QueueConsumer } from '../src/index.ts';
import { waitFor } from './helpers.ts';

test('S3 keys with spaces, quotes, unicode and + arrive decoded through real S3 notifications', async () => {
  // Prepare
  const aws = await startLocalAws({
    queues: [{ name: 'uploads' }],
    buckets: ['media'],
    notifications: [{ bucket: 'media', queue: 'uploads', prefix: 'uploads/' }],
    sendTestEvent: true,
  });
  const sqs = new SQSClient(aws.clientConfig().sqs);
  const s3 = new S3Client(aws.clientConfig().s3);
  const keys = [
    "uploads/my clip's.mp4",
    'uploads/a+b c.mov',
    'uploads/été/東京 🎬.mkv',
    'uploads/100% done.mp4',
  ];
  const received: string[] = [];
  let testEvents = 0;
  const consumer = new QueueConsumer({
    sqs,
    queueUrl: aws.queueUrl('uploads'),
    concurrency: 4,
    handler: (message) => {
      const event = parseS3Event(message);
      if (event.kind === 'test') testEvents++;
      for (const record of event.records) received.push(record.object.key);
    },
  });
  try {
    await consumer.start();
    // Act
    for (const key of keys) await s3.send(new PutObjectCommand({ Bucket: 'media', Key: key, Body: 'x' }));
    // Assess
    await waitFor(() => received.length === keys.length, 30_000, 'four S3 events');
    expect(received.sort()).toEqual([...keys].sort());
    expect(testEvents).toBe(1);
  } finally {
    await consumer.stop({ graceMs: 1000 });
    sqs.destroy();
    s3.destroy();
    await aws.stop();
  }
});
