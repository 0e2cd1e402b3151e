import { invalid, SqsServerError } from '../errors.ts';
import type { ActionInput, ActionOutput } from '../model.ts';
import type { SendEntry } from '../prepare-send.ts';
import type { SendResult } from '../sqs-engine.ts';
import { optionalInteger, optionalString, requiredString } from '../validate.ts';
import type { Action } from './action.ts';
import { batchEntries, failedEntry } from './batch.ts';

/** AWS caps the sum of a batch's message sizes at 1 MiB, whatever the queue's MaximumMessageSize. */
const MAX_BATCH_BYTES = 1_048_576;

function sendEntry(input: ActionInput): SendEntry {
  return {
    body: input.MessageBody,
    delaySeconds: optionalInteger(input, 'DelaySeconds', 0, 900),
    messageAttributes: input.MessageAttributes,
    systemAttributes: input.MessageSystemAttributes,
    groupId: optionalString(input, 'MessageGroupId'),
    dedupId: optionalString(input, 'MessageDeduplicationId'),
  };
}

function resultFields(result: SendResult): ActionOutput {
  return {
    MessageId: result.messageId,
    MD5OfMessageBody: result.md5Body,
    ...(result.md5Attributes === undefined ? {} : { MD5OfMessageAttributes: result.md5Attributes }),
    ...(result.md5SystemAttributes === undefined
      ? {}
      : { MD5OfMessageSystemAttributes: result.md5SystemAttributes }),
    ...(result.sequenceNumber === undefined ? {} : { SequenceNumber: result.sequenceNumber }),
  };
}

export const sendMessage: Action = (input, { engine }) => {
  const queue = engine.queueByUrl(requiredString(input, 'QueueUrl'));
  const [result] = engine.sendMessages(queue, [sendEntry(input)]);
  if (result === undefined) throw new SqsServerError('InternalFailure', 'Send produced no result.');
  if (result instanceof Error) throw result;
  return resultFields(result);
};

export const sendMessageBatch: Action = (input, { engine }) => {
  const queue = engine.queueByUrl(requiredString(input, 'QueueUrl'));
  const entries = batchEntries(input, 'SendMessageBatchRequestEntry');
  let total = 0;
  for (const entry of entries) {
    total += typeof entry.MessageBody === 'string' ? Buffer.byteLength(entry.MessageBody, 'utf8') : 0;
  }
  if (total > MAX_BATCH_BYTES) {
    throw invalid(
      'BatchRequestTooLong',
      `Batch requests cannot be longer than ${MAX_BATCH_BYTES} bytes. You have sent ${total} bytes.`,
    );
  }
  const prepared = entries.map((entry) => {
    try {
      return sendEntry(entry);
    } catch (error) {
      if (error instanceof SqsServerError) return error;
      throw error;
    }
  });
  const sendable = prepared.filter((item): item is SendEntry => !(item instanceof Error));
  const results = engine.sendMessages(queue, sendable);
  const successful: ActionOutput[] = [];
  const failed: ActionOutput[] = [];
  let next = 0;
  prepared.forEach((item, index) => {
    const id = String(entries[index]?.Id);
    const result = item instanceof Error ? item : results[next++];
    if (result === undefined) return;
    if (result instanceof SqsServerError) failed.push(failedEntry(id, result));
    else if (result instanceof Error) throw result;
    else successful.push({ Id: id, ...resultFields(result) });
  });
  return { Successful: successful, Failed: failed };
};
