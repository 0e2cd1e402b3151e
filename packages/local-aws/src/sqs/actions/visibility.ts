import { SqsServerError } from '../errors.ts';
import type { ActionOutput } from '../model.ts';
import { requiredInteger, requiredString } from '../validate.ts';
import type { Action } from './action.ts';
import { batchEntries, failedEntry } from './batch.ts';

export const changeMessageVisibility: Action = (input, { engine }) => {
  const queue = engine.queueByUrl(requiredString(input, 'QueueUrl'));
  const receiptHandle = requiredString(input, 'ReceiptHandle');
  engine.changeVisibility(queue, receiptHandle, requiredInteger(input, 'VisibilityTimeout', 0, 43200));
  return {};
};

export const changeMessageVisibilityBatch: Action = (input, { engine }) => {
  const queue = engine.queueByUrl(requiredString(input, 'QueueUrl'));
  const entries = batchEntries(input, 'ChangeMessageVisibilityBatchRequestEntry');
  const successful: ActionOutput[] = [];
  const failed: ActionOutput[] = [];
  engine.store.transaction(() => {
    for (const entry of entries) {
      const id = String(entry.Id);
      try {
        const receiptHandle = requiredString(entry, 'ReceiptHandle');
        engine.changeVisibility(queue, receiptHandle, requiredInteger(entry, 'VisibilityTimeout', 0, 43200));
        successful.push({ Id: id });
      } catch (error) {
        if (!(error instanceof SqsServerError)) throw error;
        failed.push(failedEntry(id, error));
      }
    }
  });
  return { Successful: successful, Failed: failed };
};
