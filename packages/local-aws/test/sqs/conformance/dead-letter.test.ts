import {
  ChangeMessageVisibilityCommand,
  GetQueueAttributesCommand,
  ListDeadLetterSourceQueuesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorName, receiveAtLeast, type SqsTarget, sleep, startSqsTarget } from '../support/sqs-target.ts';

async function queueArn(target: SqsTarget, url: string): Promise<string> {
  const { Attributes } = await target.client.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  return Attributes?.QueueArn ?? '';
}

/** Receives the message and hands it straight back (ChangeMessageVisibility 0): one failed attempt. */
async function failOnce(target: SqsTarget, url: string): Promise<string | undefined> {
  const { Messages } = await target.client.send(
    new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 2 }),
  );
  const message = Messages?.[0];
  if (message === undefined) return undefined;
  await target.client.send(
    new ChangeMessageVisibilityCommand({
      QueueUrl: url,
      ReceiptHandle: message.ReceiptHandle,
      VisibilityTimeout: 0,
    }),
  );
  return message.Body;
}

describe('SQS conformance: dead-letter queues', { timeout: 30_000 }, () => {
  let target: SqsTarget;
  beforeAll(async () => {
    target = await startSqsTarget();
  });
  afterAll(async () => {
    await target.stop();
  });

  async function sourceWithDeadLetter(
    maxReceiveCount: number,
  ): Promise<{ source: string; dlq: string; dlqArn: string }> {
    const dlq = await target.createQueue('conf-dlq');
    const dlqArn = await queueArn(target, dlq.url);
    const source = await target.createQueue('conf-src', {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount }),
    });
    return { source: source.url, dlq: dlq.url, dlqArn };
  }

  it('moves a message to the DLQ after maxReceiveCount receives', async () => {
    // Prepare
    const { source, dlq, dlqArn } = await sourceWithDeadLetter(2);
    await target.client.send(new SendMessageCommand({ QueueUrl: source, MessageBody: 'poison' }));

    // Act
    const attempts = [
      await failOnce(target, source),
      await failOnce(target, source),
      await failOnce(target, source),
    ];
    const [dead] = await receiveAtLeast(
      target.client,
      { QueueUrl: dlq, MessageSystemAttributeNames: ['All'] },
      1,
    );

    // Assess
    expect(attempts).toEqual(['poison', 'poison', undefined]);
    expect(dead?.Body).toBe('poison');
    expect(dlqArn).not.toBe('');
  });

  it('lists the source queues of a dead-letter queue', async () => {
    // Prepare
    const { source, dlq } = await sourceWithDeadLetter(3);

    // Act
    const { queueUrls } = await target.client.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq }));

    // Assess
    expect(queueUrls).toEqual([source]);
  });

  it('rejects a RedrivePolicy naming a queue that does not exist', async () => {
    // Prepare
    const { url } = await target.createQueue('conf-bad-redrive');
    const arn = await queueArn(target, url);

    // Act
    const name = await errorName(
      target.client.send(
        new SetQueueAttributesCommand({
          QueueUrl: url,
          Attributes: {
            RedrivePolicy: JSON.stringify({ deadLetterTargetArn: `${arn}-missing`, maxReceiveCount: 3 }),
          },
        }),
      ),
    );

    // Assess
    expect(name).toBe('InvalidParameterValue');
  });

  it('moves dead letters back to their source with StartMessageMoveTask', { timeout: 20_000 }, async () => {
    // Prepare
    const { source, dlq, dlqArn } = await sourceWithDeadLetter(1);
    await target.client.send(new SendMessageCommand({ QueueUrl: source, MessageBody: 'retry me' }));
    await failOnce(target, source);
    await failOnce(target, source);
    await receiveAtLeast(target.client, { QueueUrl: dlq, VisibilityTimeout: 0 }, 1);

    // Act
    const { TaskHandle } = await target.client.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn }));
    let status: string | undefined;
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const { Results } = await target.client.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }));
      status = Results?.[0]?.Status;
      if (status === 'COMPLETED') break;
      await sleep(100);
    }
    const back = await receiveAtLeast(
      target.client,
      { QueueUrl: source, MessageSystemAttributeNames: ['ApproximateReceiveCount'] },
      1,
    );

    // Assess
    expect(TaskHandle).toBeTruthy();
    expect(status).toBe('COMPLETED');
    expect(back.map((message) => message.Body)).toEqual(['retry me']);
  });
});
