import { SQSClient } from '@aws-sdk/client-sqs';
import { startLocalAws } from '@media-server/local-aws';
import { expect, test } from 'vitest';
import { QueueConsumer, type QueueConsumerError } from '../src/index.ts';
import { type FaultProxy, startFaultProxy } from './fault-proxy.ts';
import { sendAll, waitFor } from './helpers.ts';

/** local-aws behind a fault proxy; `sqs` goes through the proxy with the SDK's default retries (3 attempts). */
async function setUp(): Promise<{
  proxy: FaultProxy;
  sqs: SQSClient;
  direct: SQSClient;
  url: string;
  stop(): Promise<void>;
}> {
  const aws = await startLocalAws({ queues: [{ name: 'jobs', attributes: { VisibilityTimeout: '60' } }] });
  const proxy = await startFaultProxy(aws.sqsEndpoint);
  const sqs = new SQSClient({ ...aws.clientConfig().sqs, endpoint: proxy.endpoint });
  const direct = new SQSClient({ ...aws.clientConfig().sqs, maxAttempts: 1 });
  return {
    proxy,
    sqs,
    direct,
    url: aws.queueUrl('jobs'),
    async stop() {
      sqs.destroy();
      direct.destroy();
      await proxy.stop();
      await aws.stop();
    },
  };
}

test('one failing hand-back is the SQS client’s attempts only, not retries stacked on them', async () => {
  const t = await setUp();
  const errors: QueueConsumerError[] = [];
  const consumer = new QueueConsumer({
    sqs: t.sqs,
    queueUrl: t.url,
    backoff: () => 5,
    handBackRetryMs: 60_000,
    handler: () => {
      throw new Error('transient');
    },
  });
  consumer.on('error', (error) => errors.push(error));
  try {
    t.proxy.failing.add('ChangeMessageVisibility');
    await consumer.start();
    const [id] = await sendAll(t.direct, t.url, ['job']);
    await waitFor(
      () => errors.some((e) => e.code === 'CHANGE_VISIBILITY_FAILED'),
      20_000,
      'hand-back failure',
    );
    expect(t.proxy.calls.get('ChangeMessageVisibility')).toBe(3);
    expect(errors.find((e) => e.code === 'CHANGE_VISIBILITY_FAILED')?.messageId).toBe(id);
  } finally {
    await consumer.stop({ graceMs: 0 });
    await t.stop();
  }
});

test('one failing delete is the SQS client’s attempts only', async () => {
  const t = await setUp();
  const errors: QueueConsumerError[] = [];
  const consumer = new QueueConsumer({ sqs: t.sqs, queueUrl: t.url, handler: () => {} });
  consumer.on('error', (error) => errors.push(error));
  try {
    t.proxy.failing.add('DeleteMessageBatch');
    await consumer.start();
    const [id] = await sendAll(t.direct, t.url, ['job']);
    await waitFor(() => errors.some((e) => e.code === 'DELETE_FAILED'), 20_000, 'delete failure');
    expect(t.proxy.calls.get('DeleteMessageBatch')).toBe(3);
    expect(errors.find((e) => e.code === 'DELETE_FAILED')?.messageId).toBe(id);
  } finally {
    await consumer.stop({ graceMs: 0 });
    await t.stop();
  }
});

test('a hand-back that failed in an outage is retried once SQS answers again', async () => {
  // Prepare: a 60 s visibility timeout, so only a hand-back makes the message visible again soon.
  const t = await setUp();
  let calls = 0;
  const errors: QueueConsumerError[] = [];
  const consumer = new QueueConsumer({
    sqs: t.sqs,
    queueUrl: t.url,
    backoff: () => 0,
    handBackRetryMs: 200,
    handler: () => {
      calls += 1;
      if (calls === 1) throw new Error('transient');
    },
  });
  const events: string[] = [];
  consumer.on('handedBack', (message) => events.push(`handedBack ${message.MessageId}`));
  consumer.on('deleted', (message) => events.push(`deleted ${message.MessageId}`));
  consumer.on('error', (error) => errors.push(error));
  try {
    t.proxy.failing.add('ChangeMessageVisibility');
    t.proxy.failing.add('ChangeMessageVisibilityBatch');
    await consumer.start();
    const [id] = await sendAll(t.direct, t.url, ['job']);
    await waitFor(
      () => errors.some((e) => e.code === 'CHANGE_VISIBILITY_FAILED'),
      20_000,
      'hand-back failure',
    );

    // Act: the outage ends.
    t.proxy.failing.clear();

    // Assess: handed back, delivered again and processed long before the 60 s visibility timeout.
    await waitFor(() => events.includes(`deleted ${id}`), 20_000, 'the second delivery');
    expect(events).toEqual([`handedBack ${id}`, `deleted ${id}`]);
    expect(calls).toBe(2);
  } finally {
    await consumer.stop({ graceMs: 0 });
    await t.stop();
  }
});
