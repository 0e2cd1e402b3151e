import { requiredInteger, requiredString } from '../validate.ts';
import type { Action } from './action.ts';
import { applyToEntries, batchEntries } from './batch.ts';

export const changeMessageVisibility: Action = (input, { engine }) => {
  const queue = engine.queueByUrl(requiredString(input, 'QueueUrl'));
  const receiptHandle = requiredString(input, 'ReceiptHandle');
  engine.changeVisibility(queue, receiptHandle, requiredInteger(input, 'VisibilityTimeout', 0, 43200));
  return {};
};

export const changeMessageVisibilityBatch: Action = (input, { engine }) => {
  const queue = engine.queueByUrl(requiredString(input, 'QueueUrl'));
  const entries = batchEntries(input, 'ChangeMessageVisibilityBatchRequestEntry');
  return applyToEntries(engine, entries, (entry) =>
    engine.changeVisibility(
      queue,
      requiredString(entry, 'ReceiptHandle'),
      requiredInteger(entry, 'VisibilityTimeout', 0, 43200),
    ),
  );
};
