import { md5OfMessageAttributes } from '../md5.ts';
import { selectMessageAttributes } from '../message-attributes.ts';
import type { ActionOutput, MessageRecord } from '../model.ts';
import type { SqsEngine } from '../sqs-engine.ts';
import { optionalInteger, requiredString, stringList } from '../validate.ts';
import type { Action } from './action.ts';

/** System attributes of a message, as ReceiveMessage returns them. */
function systemAttributes(engine: SqsEngine, message: MessageRecord): Record<string, string> {
  const attributes: Record<string, string> = {
    SenderId: engine.settings.accountId,
    SentTimestamp: String(message.sentAt),
    ApproximateReceiveCount: String(message.receiveCount),
    ApproximateFirstReceiveTimestamp: String(message.firstReceiveAt ?? message.sentAt),
  };
  if (message.groupId !== undefined) attributes.MessageGroupId = message.groupId;
  if (message.sequenceNumber !== undefined) {
    attributes.SequenceNumber = message.sequenceNumber;
    if (message.dedupId !== undefined) attributes.MessageDeduplicationId = message.dedupId;
  }
  const trace = message.systemAttributes?.AWSTraceHeader?.StringValue;
  if (trace !== undefined) attributes.AWSTraceHeader = trace;
  if (message.deadLetterSourceArn !== undefined)
    attributes.DeadLetterQueueSourceArn = message.deadLetterSourceArn;
  return attributes;
}

export const receiveMessage: Action = async (input, { engine, signal, onUndelivered }) => {
  const queue = engine.queueByUrl(requiredString(input, 'QueueUrl'));
  const maxMessages = optionalInteger(input, 'MaxNumberOfMessages', 1, 10) ?? 1;
  const visibilityTimeout = optionalInteger(input, 'VisibilityTimeout', 0, 43200);
  const waitSeconds = optionalInteger(input, 'WaitTimeSeconds', 0, 20);
  const wanted = [
    ...stringList(input, 'AttributeNames'),
    ...stringList(input, 'MessageSystemAttributeNames'),
  ];
  const wantedMessageAttributes = stringList(input, 'MessageAttributeNames');
  const received = await engine.receive(queue.name, { maxMessages, visibilityTimeout, waitSeconds, signal });
  // A client that aborted its long poll never sees these messages: make them visible again at once
  // instead of leaving them invisible for the whole visibility timeout.
  if (received.length > 0) onUndelivered(() => engine.releaseReceived(queue, received));
  const messages = received.map(({ message, receiptHandle }): ActionOutput => {
    const output: ActionOutput = {
      MessageId: message.id,
      ReceiptHandle: receiptHandle,
      MD5OfBody: message.md5Body,
      Body: message.body,
    };
    if (wanted.length > 0) {
      const all = systemAttributes(engine, message);
      const selected: Record<string, string> = {};
      for (const [name, value] of Object.entries(all)) {
        if (wanted.includes('All') || wanted.includes(name)) selected[name] = value;
      }
      if (Object.keys(selected).length > 0) output.Attributes = selected;
    }
    const selectedAttributes = selectMessageAttributes(message.messageAttributes, wantedMessageAttributes);
    if (selectedAttributes !== undefined) {
      output.MD5OfMessageAttributes = md5OfMessageAttributes(selectedAttributes);
      output.MessageAttributes = selectedAttributes;
    }
    return output;
  });
  return messages.length === 0 ? {} : { Messages: messages };
};
