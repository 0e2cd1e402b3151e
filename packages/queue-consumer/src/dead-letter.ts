import {
  GetQueueUrlCommand,
  type Message,
  type MessageAttributeValue,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/** The dead-letter queue ARN named by a queue's `RedrivePolicy` attribute, if any. */
export function deadLetterTargetArn(redrivePolicy: string | undefined): string | undefined {
  if (!redrivePolicy) return undefined;
  try {
    const policy = JSON.parse(redrivePolicy) as { deadLetterTargetArn?: unknown };
    return typeof policy.deadLetterTargetArn === 'string' ? policy.deadLetterTargetArn : undefined;
  } catch {
    return undefined;
  }
}

/** Looks up the URL of a queue from its ARN (`arn:aws:sqs:<region>:<account>:<name>`). */
export async function queueUrlFromArn(sqs: SQSClient, arn: string): Promise<string> {
  const parts = arn.split(':');
  const name = parts[5];
  const account = parts[4];
  if (parts.length < 6 || !name) throw new Error(`not an SQS queue ARN: ${arn}`);
  const out = await sqs.send(
    new GetQueueUrlCommand({ QueueName: name, ...(account ? { QueueOwnerAWSAccountId: account } : {}) }),
  );
  if (!out.QueueUrl) throw new Error(`no URL for queue ${arn}`);
  return out.QueueUrl;
}

/** Sends a copy of `message` (body and message attributes; group and deduplication ids for FIFO) to `queueUrl`. */
export async function sendToDeadLetterQueue(
  sqs: SQSClient,
  queueUrl: string,
  message: Message,
): Promise<void> {
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    attributes[name] = {
      DataType: value.DataType,
      ...(value.StringValue !== undefined ? { StringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined ? { BinaryValue: value.BinaryValue } : {}),
    };
  }
  const fifo = queueUrl.endsWith('.fifo');
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: message.Body ?? '',
      ...(Object.keys(attributes).length > 0 ? { MessageAttributes: attributes } : {}),
      ...(fifo
        ? {
            MessageGroupId: message.Attributes?.MessageGroupId ?? 'dead-letter',
            MessageDeduplicationId: message.MessageId,
          }
        : {}),
    }),
  );
}
