import { requiredString } from '../validate.ts';
import type { Action } from './action.ts';
import { applyToEntries, batchEntries } from './batch.ts';

export const deleteMessage: Action = (input, { engine }) => {
  const queue = engine.queueByUrl(requiredString(input, 'QueueUrl'));
  engine.deleteMessage(queue, requiredString(input, 'ReceiptHandle'));
  return {};
};

export const deleteMessageBatch: Action = (input, { engine }) => {
  const queue = engine.queueByUrl(requiredString(input, 'QueueUrl'));
  const entries = batchEntries(input, 'DeleteMessageBatchRequestEntry');
  return applyToEntries(engine, entries, (entry) =>
    engine.deleteMessage(queue, requiredString(entry, 'ReceiptHandle')),
  );
};
