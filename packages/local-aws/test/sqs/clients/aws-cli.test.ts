import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SqsTarget, startSqsTarget } from '../support/sqs-target.ts';

const run = promisify(execFile);

/**
 * Debian's `awscli` package (2.9.x, bundled botocore) speaks the SQS *query* protocol: form-encoded
 * requests, XML responses. `LOCAL_AWS_QUERY_CLI` may point at another query-protocol AWS CLI.
 */
const AWS_CLI = process.env.LOCAL_AWS_QUERY_CLI ?? '/usr/bin/aws';
const installed = existsSync(AWS_CLI);

describe.skipIf(!installed)(`AWS CLI (query protocol, ${AWS_CLI})`, () => {
  let target: SqsTarget;
  beforeAll(async () => {
    target = await startSqsTarget();
  });
  afterAll(async () => {
    await target.stop();
  });

  async function aws(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
    try {
      const { stdout, stderr } = await run(
        AWS_CLI,
        ['--endpoint-url', target.endpoint, '--output', 'json', 'sqs', ...args],
        {
          env: {
            PATH: '/usr/bin:/bin',
            HOME: process.env.HOME ?? '/tmp',
            AWS_ACCESS_KEY_ID: 'test',
            AWS_SECRET_ACCESS_KEY: 'test',
            AWS_DEFAULT_REGION: 'us-east-1',
            AWS_PAGER: '',
          },
        },
      );
      return { stdout, stderr, code: 0 };
    } catch (error) {
      const failure = error as { stdout: string; stderr: string; code: number };
      return { stdout: failure.stdout, stderr: failure.stderr, code: failure.code };
    }
  }

  it('creates a queue, sends with attributes, receives and deletes', { timeout: 60_000 }, async () => {
    // Prepare
    const name = `cli-${Date.now()}`;

    // Act
    const created = await aws('create-queue', '--queue-name', name, '--attributes', 'VisibilityTimeout=45');
    const url = (JSON.parse(created.stdout) as { QueueUrl: string }).QueueUrl;
    const sent = await aws(
      'send-message',
      '--queue-url',
      url,
      '--message-body',
      'from the cli <&>',
      '--message-attributes',
      '{"kind":{"DataType":"String","StringValue":"cli"},"blob":{"DataType":"Binary","BinaryValue":"AQID"}}',
    );
    const received = await aws(
      'receive-message',
      '--queue-url',
      url,
      '--attribute-names',
      'All',
      '--message-attribute-names',
      'All',
      '--wait-time-seconds',
      '5',
    );
    const message =
      (JSON.parse(received.stdout) as { Messages: Array<Record<string, unknown>> }).Messages[0] ?? {};
    const deleted = await aws(
      'delete-message',
      '--queue-url',
      url,
      '--receipt-handle',
      String(message.ReceiptHandle),
    );
    const attributes = await aws('get-queue-attributes', '--queue-url', url, '--attribute-names', 'All');
    await aws('delete-queue', '--queue-url', url);

    // Assess
    expect(created.code).toBe(0);
    expect(sent.code).toBe(0);
    expect(JSON.parse(sent.stdout)).toMatchObject({
      MD5OfMessageBody: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    expect(message).toMatchObject({
      Body: 'from the cli <&>',
      MessageAttributes: {
        kind: { DataType: 'String', StringValue: 'cli' },
        blob: { DataType: 'Binary', BinaryValue: 'AQID' },
      },
      Attributes: { ApproximateReceiveCount: '1' },
    });
    expect(message.MD5OfMessageAttributes).toBe(JSON.parse(sent.stdout).MD5OfMessageAttributes);
    expect(deleted.code).toBe(0);
    expect(JSON.parse(attributes.stdout)).toMatchObject({
      Attributes: {
        VisibilityTimeout: '45',
        ApproximateNumberOfMessages: '0',
        ApproximateNumberOfMessagesNotVisible: '0',
      },
    });
  });

  it('sends a batch whose failures come back per entry, and reads it from the JSON protocol', {
    timeout: 60_000,
  }, async () => {
    // Prepare
    const { url } = await target.createQueue('cli-batch');

    // Act
    const result = await aws(
      'send-message-batch',
      '--queue-url',
      url,
      '--entries',
      JSON.stringify([
        { Id: 'good', MessageBody: 'batched' },
        { Id: 'bad', MessageBody: 'late', DelaySeconds: 901 },
      ]),
    );
    const { Messages } = await target.client.send(
      new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 5 }),
    );

    // Assess
    expect(result.code).toBe(0);
    const parsed = JSON.parse(result.stdout) as {
      Successful: Array<{ Id: string }>;
      Failed: Array<{ Id: string; SenderFault: boolean }>;
    };
    expect(parsed.Successful.map((entry) => entry.Id)).toEqual(['good']);
    expect(parsed.Failed).toEqual([expect.objectContaining({ Id: 'bad', SenderFault: true })]);
    expect(Messages?.map((message) => message.Body)).toEqual(['batched']);
  });

  it('reports a missing queue with the AWS query error code and a non-zero exit', {
    timeout: 60_000,
  }, async () => {
    // Prepare
    const { url } = await target.createQueue('cli-json-send');
    await target.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' }));

    // Act
    const result = await aws('get-queue-url', '--queue-name', 'cli-no-such-queue');

    // Assess
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('AWS.SimpleQueueService.NonExistentQueue');
  });
});
