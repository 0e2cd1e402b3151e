import { randomBytes } from 'node:crypto';
import { invalid } from './errors.ts';

/** What a receipt handle names: one receive of one message of one queue. */
export interface ReceiptHandle {
  queueId: number;
  seq: number;
  token: string;
}

const PROCESS_NONCE = randomBytes(4).toString('hex');
let counter = 0;

/**
 * A fresh token for one receive: unique (a random per-process prefix and a counter), which is all a token
 * needs, since it only tells the latest receive of a message from older ones.
 */
export function newReceiptToken(): string {
  counter = (counter + 1) % 2 ** 48;
  return `${PROCESS_NONCE}${counter.toString(16).padStart(16, '0')}`;
}

/** Encodes a receipt handle as an opaque base64url string. */
export function encodeReceiptHandle(handle: ReceiptHandle): string {
  return Buffer.from(`lasqs1:${handle.queueId}:${handle.seq}:${handle.token}`, 'utf8').toString('base64url');
}

/** Decodes a receipt handle, or throws `ReceiptHandleIsInvalid` as AWS does for a malformed one. */
export function decodeReceiptHandle(value: string): ReceiptHandle {
  const text = /^[A-Za-z0-9_-]+={0,2}$/.test(value) ? Buffer.from(value, 'base64url').toString('utf8') : '';
  const match = /^lasqs1:(\d{1,15}):(\d{1,15}):([0-9a-f]{24})$/.exec(text);
  if (match === null) {
    throw invalid(
      'ReceiptHandleIsInvalid',
      `The input receipt handle "${value}" is not a valid receipt handle.`,
    );
  }
  return { queueId: Number(match[1]), seq: Number(match[2]), token: match[3] as string };
}
