import { SqsServerError } from '../errors.ts';
import type { ActionOutput } from '../model.ts';
import { requiredString } from '../validate.ts';
import type { Action } from './action.ts';
import { batchEntries, failedEntry } from './batch.ts';

export const deleteMessage: Action = (input, { engine }) => {
  const queue = engine.queueByUrl(requiredString(input, 'QueueUrl'));
  engine.deleteMessage(queue, requiredString(input, 'ReceiptHandle'));
  return {};
};

export const deleteMessageBatch: Action = (input, { engine }) => {
  const queue = engine.queueByUrl(requiredString(input, 'QueueUrl'));
  const entries = batchEntries(input, 'DeleteMessageBatchRequestEntry');
  const successful: ActionOutput[] = [];
  const failed: ActionOutput[] = [];
  engine.store.transaction(() => {
    for (const entry of entries) {
      const id = String(entry.Id);
      try {
        engine.deleteMessage(queue, requiredString(entry, 'ReceiptHandle'));
        successful.push({ Id: id });
      } catch (error) {
        if (!(error instanceof SqsServerError)) throw error;
        failed.push(failedEntry(id, error));
      }
    }
  });
  return { Successful: successful, Failed: failed };
};
