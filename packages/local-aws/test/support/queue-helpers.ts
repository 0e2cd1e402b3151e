import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/**
 * Receives the next message of a queue (long polling until `deadlineMs`), deletes it and returns its
 * parsed body. Throws when none arrives in time.
 */
export async function receiveJson<T = unknown>(
  sqs: SQSClient,
  queueUrl: string,
  deadlineMs = 15_000,
): Promise<{ body: T; message: Message }> {
  const message = await receiveMessage(sqs, queueUrl, deadlineMs);
  return { body: JSON.parse(message.Body ?? 'null') as T, message };
}

/** Receives the next message of a queue (long polling until `deadlineMs`) and deletes it. */
export async function receiveMessage(
  sqs: SQSClient,
  queueUrl: string,
  deadlineMs = 15_000,
): Promise<Message> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 2 }),
    );
    const message = Messages?.[0];
    if (message) {
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
      return message;
    }
  }
  throw new Error(`no message on ${queueUrl} within ${deadlineMs} ms`);
}

/** The queue's `ApproximateNumberOfMessages` + `ApproximateNumberOfMessagesNotVisible`. */
export async function countMessages(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}
