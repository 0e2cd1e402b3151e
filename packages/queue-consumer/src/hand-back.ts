import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { BatchEntryError, QueueConsumerError } from './errors.ts';

/** A message to make visible again. */
export interface HandBackEntry {
  messageId: string;
  receiptHandle: string;
}

/**
 * ChangeMessageVisibility, one call: the SQS client already retries transient errors (its `maxAttempts`,
 * 3 by default), so a failure here is final for now. Throws a `CHANGE_VISIBILITY_FAILED` error.
 */
export async function handBack(
  sqs: SQSClient,
  queueUrl: string,
  entry: HandBackEntry,
  seconds: number,
): Promise<void> {
  try {
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queueUrl,
        ReceiptHandle: entry.receiptHandle,
        VisibilityTimeout: seconds,
      }),
    );
  } catch (error) {
    throw new QueueConsumerError(
      'CHANGE_VISIBILITY_FAILED',
      `could not hand back message ${entry.messageId}`,
      {
        cause: error,
        messageId: entry.messageId,
      },
    );
  }
}

/** An entry that could not be handed back. */
export interface HandBackFailure {
  messageId: string;
  error: QueueConsumerError;
  /** The call itself failed (SQS unreachable), as opposed to SQS refusing this entry. */
  unreachable: boolean;
}

/**
 * ChangeMessageVisibilityBatch for any number of messages (one call per 10). One call per chunk: the SQS
 * client retries the call itself. Resolves with the entries that could not be handed back.
 */
export async function handBackBatch(
  sqs: SQSClient,
  queueUrl: string,
  entries: readonly HandBackEntry[],
  seconds: number,
): Promise<HandBackFailure[]> {
  const chunks: HandBackEntry[][] = [];
  for (let i = 0; i < entries.length; i += 10) chunks.push(entries.slice(i, i + 10));
  const results = await Promise.all(chunks.map((chunk) => handBackChunk(sqs, queueUrl, chunk, seconds)));
  return results.flat();
}

async function handBackChunk(
  sqs: SQSClient,
  queueUrl: string,
  chunk: HandBackEntry[],
  seconds: number,
): Promise<HandBackFailure[]> {
  try {
    const out = await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: chunk.map((e, i) => ({
          Id: `m${i}`,
          ReceiptHandle: e.receiptHandle,
          VisibilityTimeout: seconds,
        })),
      }),
    );
    const errors: HandBackFailure[] = [];
    for (const failed of out.Failed ?? []) {
      const entry = chunk[Number(failed.Id?.slice(1))];
      if (!entry) continue;
      const error = new BatchEntryError(
        'CHANGE_VISIBILITY_FAILED',
        entry.messageId,
        failed.Code ?? '',
        failed.Message ?? '',
      );
      errors.push({ messageId: entry.messageId, error, unreachable: false });
    }
    return errors;
  } catch (error) {
    return chunk.map((entry) => ({
      messageId: entry.messageId,
      error: new QueueConsumerError(
        'CHANGE_VISIBILITY_FAILED',
        `could not hand back message ${entry.messageId}`,
        {
          cause: error,
          messageId: entry.messageId,
        },
      ),
      unreachable: true,
    }));
  }
}
