import { createHash } from 'node:crypto';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SqsTarget, startSqsTarget } from '../support/sqs-target.ts';

/** Texts of every `<tag>` element (entities decoded). */
function xmlTexts(xml: string, tag: string): string[] {
  const decode = (text: string): string =>
    text
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .replace(/&#xD;/g, '\r')
      .replace(/&amp;/g, '&');
  return [...xml.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((match) =>
    decode((match[1] ?? '').trim()),
  );
}

describe('SQS conformance: query protocol (form-encoded requests, XML responses)', {
  timeout: 30_000,
}, () => {
  let target: SqsTarget;
  beforeAll(async () => {
    target = await startSqsTarget();
  });
  afterAll(async () => {
    await target.stop();
  });

  /** POSTs a signed-looking query request (a SigV4 Authorization header the server must tolerate). */
  async function query(
    url: string,
    params: Record<string, string>,
  ): Promise<{ status: number; xml: string }> {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
        authorization:
          'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sqs/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=00',
        'x-amz-date': '20260101T000000Z',
      },
      body: new URLSearchParams({ Version: '2012-11-05', ...params }),
    });
    return { status: response.status, xml: await response.text() };
  }

  it('creates a queue with attributes and tags and reads them back', async () => {
    // Prepare
    const name = `conf-query-${Date.now()}`;

    // Act
    const created = await query(target.endpoint, {
      Action: 'CreateQueue',
      QueueName: name,
      'Attribute.1.Name': 'VisibilityTimeout',
      'Attribute.1.Value': '17',
      'Tag.1.Key': 'team',
      'Tag.1.Value': 'media',
    });
    const url = xmlTexts(created.xml, 'QueueUrl')[0] ?? '';
    const attributes = await query(target.endpoint, {
      Action: 'GetQueueAttributes',
      QueueUrl: url,
      'AttributeName.1': 'VisibilityTimeout',
    });
    const tags = await query(target.endpoint, { Action: 'ListQueueTags', QueueUrl: url });
    await query(target.endpoint, { Action: 'DeleteQueue', QueueUrl: url });

    // Assess
    expect(created.status).toBe(200);
    expect(created.xml).toContain('<CreateQueueResponse');
    expect(url.endsWith(`/${name}`)).toBe(true);
    expect(xmlTexts(attributes.xml, 'Name')).toEqual(['VisibilityTimeout']);
    expect(xmlTexts(attributes.xml, 'Value')).toEqual(['17']);
    expect(xmlTexts(tags.xml, 'Key')).toEqual(['team']);
    expect(xmlTexts(tags.xml, 'Value')).toEqual(['media']);
  });

  it('sends with attributes, receives, and deletes, with AWS MD5s and XML-escaped bodies', async () => {
    // Prepare
    const { url } = await target.createQueue('conf-query-msg');
    const body = 'a <b> & "c" \'d\'';

    // Act
    const sent = await query(target.endpoint, {
      Action: 'SendMessage',
      QueueUrl: url,
      MessageBody: body,
      'MessageAttribute.1.Name': 'a',
      'MessageAttribute.1.Value.DataType': 'String',
      'MessageAttribute.1.Value.StringValue': 'x',
      'MessageAttribute.2.Name': 'b',
      'MessageAttribute.2.Value.DataType': 'Binary',
      'MessageAttribute.2.Value.BinaryValue': Buffer.from([1, 2, 3]).toString('base64'),
      'MessageAttribute.3.Name': 'n.c',
      'MessageAttribute.3.Value.DataType': 'Number.int',
      'MessageAttribute.3.Value.StringValue': '42',
      'MessageAttribute.4.Name': 'z',
      'MessageAttribute.4.Value.DataType': 'String',
      'MessageAttribute.4.Value.StringValue': 'ünï',
    });
    const received = await query(target.endpoint, {
      Action: 'ReceiveMessage',
      QueueUrl: url,
      WaitTimeSeconds: '5',
      'AttributeName.1': 'All',
      'MessageAttributeName.1': 'All',
    });
    const handle = xmlTexts(received.xml, 'ReceiptHandle')[0] ?? '';
    const deleted = await query(target.endpoint, {
      Action: 'DeleteMessage',
      QueueUrl: url,
      ReceiptHandle: handle,
    });
    const empty = await query(target.endpoint, { Action: 'ReceiveMessage', QueueUrl: url });

    // Assess
    expect(sent.status).toBe(200);
    expect(xmlTexts(sent.xml, 'MD5OfMessageBody')).toEqual([createHash('md5').update(body).digest('hex')]);
    expect(xmlTexts(sent.xml, 'MD5OfMessageAttributes')).toEqual(['0f2e91db9d8ffb81a6ed479fd4d58ca1']);
    expect(xmlTexts(received.xml, 'Body')).toEqual([body]);
    expect(xmlTexts(received.xml, 'MD5OfMessageAttributes')).toEqual(['0f2e91db9d8ffb81a6ed479fd4d58ca1']);
    expect(xmlTexts(received.xml, 'BinaryValue')).toEqual([Buffer.from([1, 2, 3]).toString('base64')]);
    expect(xmlTexts(received.xml, 'Name')).toEqual(
      expect.arrayContaining(['SentTimestamp', 'ApproximateReceiveCount', 'a', 'b']),
    );
    expect(deleted.status).toBe(200);
    expect(deleted.xml).toContain('<DeleteMessageResponse');
    expect(xmlTexts(empty.xml, 'Message')).toEqual([]);
  });

  it('reports batch failures as BatchResultErrorEntry', async () => {
    // Prepare
    const { url } = await target.createQueue('conf-query-batch');

    // Act
    const result = await query(target.endpoint, {
      Action: 'SendMessageBatch',
      QueueUrl: url,
      'SendMessageBatchRequestEntry.1.Id': 'good',
      'SendMessageBatchRequestEntry.1.MessageBody': 'fine',
      'SendMessageBatchRequestEntry.2.Id': 'bad',
      'SendMessageBatchRequestEntry.2.MessageBody': 'x',
      'SendMessageBatchRequestEntry.2.DelaySeconds': '901',
    });

    // Assess
    expect(result.status).toBe(200);
    const success = xmlTexts(result.xml, 'SendMessageBatchResultEntry');
    const failure = xmlTexts(result.xml, 'BatchResultErrorEntry');
    expect(success).toHaveLength(1);
    expect(success[0]).toContain('<Id>good</Id>');
    expect(failure).toHaveLength(1);
    expect(failure[0]).toContain('<Id>bad</Id>');
    expect(failure[0]).toContain('<SenderFault>true</SenderFault>');
  });

  it('answers an unknown queue with an ErrorResponse carrying the AWS query error code', async () => {
    // Act
    const result = await query(target.endpoint, {
      Action: 'GetQueueUrl',
      QueueName: 'conf-query-no-such-queue',
    });

    // Assess
    expect(result.status).toBe(400);
    expect(result.xml).toContain('<ErrorResponse');
    expect(xmlTexts(result.xml, 'Code')).toEqual(['AWS.SimpleQueueService.NonExistentQueue']);
    expect(xmlTexts(result.xml, 'Type')).toEqual(['Sender']);
  });

  it('shares state with the JSON protocol: a query-protocol send is received by the SDK', async () => {
    // Prepare
    const { url } = await target.createQueue('conf-query-json');

    // Act
    await query(target.endpoint, { Action: 'SendMessage', QueueUrl: url, MessageBody: 'from query' });
    const { Messages } = await target.client.send(
      new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 5 }),
    );

    // Assess
    expect(Messages?.map((message) => message.Body)).toEqual(['from query']);
  });

  it('accepts the queue URL as the request path (older clients)', async () => {
    // Prepare
    const { url } = await target.createQueue('conf-query-path');

    // Act
    const sent = await query(url, { Action: 'SendMessage', MessageBody: 'via path' });
    const { Messages } = await target.client.send(
      new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 5 }),
    );

    // Assess
    expect(sent.status).toBe(200);
    expect(Messages?.map((message) => message.Body)).toEqual(['via path']);
  });
});
