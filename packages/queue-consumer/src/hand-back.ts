import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { fatalAwsError, sleep } from './aws-errors.ts';
import { BatchEntryError, QueueConsumerError } from './errors.ts';

/** A message to make visible again. */
export interface HandBackEntry {
  messageId: string;
  receiptHandle: string;
}

const ATTEMPTS = 3;

/** ChangeMessageVisibility with retries of transient errors; throws a `CHANGE_VISIBILITY_FAILED` error. */
export async function handBack(
  sqs: SQSClient,
  queueUrl: string,
  entry: HandBackEntry,
  seconds: number,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: entry.receiptHandle,
          VisibilityTimeout: seconds,
        }),
      );
      return;
    } catch (error) {
      if (attempt >= ATTEMPTS || fatalAwsError(error, queueUrl) || isSenderFault(error)) {
        throw new QueueConsumerError(
          'CHANGE_VISIBILITY_FAILED',
          `could not hand back message ${entry.messageId}`,
          {
            cause: error,
          },
        );
      }
      await sleep(100 * 2 ** attempt);
    }
  }
}

/** An entry that could not be handed back. */
export interface HandBackFailure {
  messageId: string;
  error: QueueConsumerError;
}

/**
 * ChangeMessageVisibilityBatch for any number of messages (one call per 10), entries retried on
 * server-side failures. Resolves with the entries that could not be handed back.
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
  let pending = chunk;
  const errors: HandBackFailure[] = [];
  for (let attempt = 1; pending.length > 0; attempt++) {
    const retry: HandBackEntry[] = [];
    try {
      const out = await sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: pending.map((e, i) => ({
            Id: `m${i}`,
            ReceiptHandle: e.receiptHandle,
            VisibilityTimeout: seconds,
          })),
        }),
      );
      for (const failed of out.Failed ?? []) {
        const entry = pending[Number(failed.Id?.slice(1))];
        if (!entry) continue;
        if (!failed.SenderFault && attempt < ATTEMPTS) retry.push(entry);
        else {
          const error = new BatchEntryError(
            'CHANGE_VISIBILITY_FAILED',
            entry.messageId,
            failed.Code ?? '',
            failed.Message ?? '',
          );
          errors.push({ messageId: entry.messageId, error });
        }
      }
    } catch (error) {
      if (attempt < ATTEMPTS && !fatalAwsError(error, queueUrl)) retry.push(...pending);
      else {
        for (const entry of pending) {
          const failure = new QueueConsumerError(
            'CHANGE_VISIBILITY_FAILED',
            `could not hand back message ${entry.messageId}`,
            { cause: error },
          );
          errors.push({ messageId: entry.messageId, error: failure });
        }
      }
    }
    pending = retry;
    if (pending.length > 0) await sleep(100 * 2 ** attempt);
  }
  return errors;
}

function isSenderFault(error: unknown): boolean {
  const e = error as { $fault?: unknown; name?: unknown } | null;
  return e?.$fault === 'client' && e.name !== 'ThrottlingException' && e.name !== 'RequestThrottled';
}
