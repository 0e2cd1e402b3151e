import { hash } from 'node:crypto';
import { invalid, invalidParameter, missingParameter } from './errors.ts';
import { hasOnlyAllowedCharacters, validateMessageAttributes } from './message-attributes.ts';
import type { MessageAttributeValue, QueueRecord } from './model.ts';
import { intAttribute } from './queue-attributes.ts';

const GROUP_OR_DEDUP_ID = /^[!-~]{1,128}$/;

/** One message to send. */
export interface SendEntry {
  body: unknown;
  delaySeconds?: number | undefined;
  messageAttributes?: unknown;
  systemAttributes?: unknown;
  groupId?: string | undefined;
  dedupId?: string | undefined;
}

/** A validated message, ready to store. */
export interface PreparedMessage {
  body: string;
  messageAttributes: Record<string, MessageAttributeValue> | undefined;
  systemAttributes: Record<string, MessageAttributeValue> | undefined;
  delayMs: number;
  groupId: string | undefined;
  dedupId: string | undefined;
}

/**
 * Validates one message to send as AWS does (body characters, attributes, size including attributes,
 * FIFO group and deduplication ids, per-message delay) and derives its deduplication id and delay.
 */
export function prepareSend(queue: QueueRecord, entry: SendEntry, maxSize: number): PreparedMessage {
  if (entry.body === undefined || entry.body === null || entry.body === '')
    throw missingParameter('MessageBody');
  if (typeof entry.body !== 'string') throw invalidParameter('MessageBody', '', 'Must be a string.');
  const body = entry.body;
  if (!hasOnlyAllowedCharacters(body)) {
    throw invalid(
      'InvalidMessageContents',
      'Invalid characters found. Valid values: #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
    );
  }
  const user = validateMessageAttributes(entry.messageAttributes, false);
  const system = validateMessageAttributes(entry.systemAttributes, true);
  const size = Buffer.byteLength(body, 'utf8') + user.size;
  if (size > maxSize) {
    throw invalid(
      'InvalidParameterValue',
      `One or more parameters are invalid. Reason: Message must be shorter than ${maxSize} bytes.`,
    );
  }
  if (entry.delaySeconds !== undefined && queue.fifo) {
    throw invalidParameter(
      'DelaySeconds',
      entry.delaySeconds,
      'The request include parameter that is not valid for this queue type.',
    );
  }
  let dedupId = entry.dedupId;
  if (queue.fifo) {
    if (entry.groupId === undefined || entry.groupId === '') throw missingParameter('MessageGroupId');
    if (dedupId === undefined || dedupId === '') {
      if (queue.attributes.ContentBasedDeduplication !== 'true') {
        throw invalid(
          'InvalidParameterValue',
          'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
        );
      }
      dedupId = hash('sha256', body, 'hex');
    }
  } else if (dedupId !== undefined) {
    throw invalidParameter(
      'MessageDeduplicationId',
      dedupId,
      'The request include parameter that is not valid for this queue type.',
    );
  }
  if (entry.groupId !== undefined && !GROUP_OR_DEDUP_ID.test(entry.groupId)) {
    throw invalidParameter(
      'MessageGroupId',
      entry.groupId,
      'MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.',
    );
  }
  if (dedupId !== undefined && !GROUP_OR_DEDUP_ID.test(dedupId)) {
    throw invalidParameter(
      'MessageDeduplicationId',
      dedupId,
      'MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length.',
    );
  }
  const delay = entry.delaySeconds ?? intAttribute(queue.attributes, 'DelaySeconds');
  return {
    body,
    messageAttributes: user.attributes,
    systemAttributes: system.attributes,
    delayMs: delay * 1000,
    groupId: entry.groupId,
    dedupId,
  };
}
