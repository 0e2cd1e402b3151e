import { describe, expect, it } from 'vitest';
import { parseQueryRequest } from '../../../src/sqs/protocol/query.ts';

describe('parseQueryRequest', () => {
  it('maps indexed query parameters onto the JSON-protocol input shape', () => {
    // Prepare
    const body = new URLSearchParams({
      Action: 'SendMessageBatch',
      QueueUrl: 'http://127.0.0.1:1/000000000000/q',
      'SendMessageBatchRequestEntry.2.Id': 'second',
      'SendMessageBatchRequestEntry.2.MessageBody': 'two',
      'SendMessageBatchRequestEntry.1.Id': 'first',
      'SendMessageBatchRequestEntry.1.MessageBody': 'one',
      'SendMessageBatchRequestEntry.1.MessageAttribute.1.Name': 'k',
      'SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType': 'String',
      'SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue': 'v',
    }).toString();

    // Act
    const { action, input } = parseQueryRequest('POST', new URL('http://127.0.0.1:1/'), Buffer.from(body));

    // Assess
    expect(action).toBe('SendMessageBatch');
    expect(input).toEqual({
      QueueUrl: 'http://127.0.0.1:1/000000000000/q',
      Entries: [
        {
          Id: 'first',
          MessageBody: 'one',
          MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } },
        },
        { Id: 'second', MessageBody: 'two' },
      ],
    });
  });

  it('reads attributes, tags and name lists, and takes the queue URL from the path', () => {
    // Prepare
    const url = new URL('http://127.0.0.1:1/000000000000/q?Action=CreateQueue');
    const body = 'QueueName=q&Attribute.1.Name=DelaySeconds&Attribute.1.Value=5&Tag.1.Key=a&Tag.1.Value=b';

    // Act
    const { action, input } = parseQueryRequest('POST', url, Buffer.from(body));

    // Assess
    expect(action).toBe('CreateQueue');
    expect(input).toEqual({
      QueueName: 'q',
      Attributes: { DelaySeconds: '5' },
      tags: { a: 'b' },
      QueueUrl: 'http://127.0.0.1:1/000000000000/q',
    });
  });
});
