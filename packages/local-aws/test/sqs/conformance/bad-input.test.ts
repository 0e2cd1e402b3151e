import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SqsTarget, startSqsTarget } from '../support/sqs-target.ts';

const AUTHORIZATION =
  'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host;x-amz-date, Signature=00';

describe('SQS conformance: bad input', { timeout: 30_000 }, () => {
  let target: SqsTarget;
  let queueUrl: string;
  beforeAll(async () => {
    target = await startSqsTarget();
    queueUrl = (await target.createQueue('conf-bad-input')).url;
    await target.client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'survivor' }));
  });
  afterAll(async () => {
    await target.stop();
  });

  async function json(
    action: string,
    body: string,
  ): Promise<{ status: number; text: string; queryError: string | null }> {
    const response = await fetch(`${target.endpoint}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `AmazonSQS.${action}`,
        'x-amz-date': '20260101T000000Z',
        authorization: AUTHORIZATION,
      },
      body,
    });
    return {
      status: response.status,
      text: await response.text(),
      queryError: response.headers.get('x-amzn-query-error'),
    };
  }

  async function form(body: string): Promise<{ status: number; text: string }> {
    const response = await fetch(`${target.endpoint}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-amz-date': '20260101T000000Z',
        authorization: AUTHORIZATION,
      },
      body,
    });
    return { status: response.status, text: await response.text() };
  }

  it('answers malformed JSON with a 400 JSON error', async () => {
    // Act
    const result = await json('SendMessage', '{"QueueUrl": "x", "MessageBody": ');

    // Assess
    expect(result.status).toBe(400);
    expect(JSON.parse(result.text)).toHaveProperty('__type');
  });

  it('answers an unknown JSON action with a 400 error', async () => {
    // Act
    const result = await json('LaunchRockets', '{}');

    // Assess
    expect(result.status).toBe(400);
    expect(JSON.parse(result.text).__type).toMatch(/UnknownOperation|InvalidAction/);
  });

  it('answers an unknown query action with an InvalidAction ErrorResponse', async () => {
    // Act
    const result = await form('Action=LaunchRockets&Version=2012-11-05');

    // Assess
    expect(result.status).toBe(400);
    expect(result.text).toContain('<Code>InvalidAction</Code>');
  });

  it('answers wrongly typed JSON members with a 4xx error', async () => {
    // Act
    const results = await Promise.all([
      json('ReceiveMessage', JSON.stringify({ QueueUrl: queueUrl, MaxNumberOfMessages: 'lots' })),
      json('SendMessageBatch', JSON.stringify({ QueueUrl: queueUrl, Entries: 'not a list' })),
      json('SendMessage', JSON.stringify({ QueueUrl: queueUrl, MessageBody: 'x', MessageAttributes: 5 })),
      json('SendMessage', JSON.stringify({ QueueUrl: queueUrl, MessageBody: 42 })),
      json('CreateQueue', JSON.stringify([1, 2, 3])),
    ]);

    // Assess
    for (const result of results) {
      expect(result.status).toBeGreaterThanOrEqual(400);
      expect(result.status).toBeLessThan(500);
    }
  });

  it('answers a malformed query request with an ErrorResponse', async () => {
    // Act
    const results = await Promise.all([
      form(
        `Action=SendMessage&QueueUrl=${encodeURIComponent(queueUrl)}&MessageAttribute.x.Name=%ZZ&MessageBody=`,
      ),
      form('<?xml version="1.0"?><not-a-form/>'),
    ]);

    // Assess
    for (const result of results) {
      expect(result.status).toBeGreaterThanOrEqual(400);
      expect(result.status).toBeLessThan(500);
      expect(result.text).toContain('<ErrorResponse');
    }
  });

  it('refuses a request body over the size limit with a 4xx error', async () => {
    // Act
    const result = await json(
      'SendMessage',
      JSON.stringify({ QueueUrl: queueUrl, MessageBody: 'x'.repeat(9 * 1024 * 1024) }),
    );

    // Assess
    expect(result.status).toBeGreaterThanOrEqual(400);
    expect(result.status).toBeLessThan(500);
  });

  it('stays up and loses nothing after all of the above', async () => {
    // Act
    const { Messages } = await target.client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 5 }),
    );

    // Assess
    expect(Messages?.map((message) => message.Body)).toEqual(['survivor']);
  });
});
