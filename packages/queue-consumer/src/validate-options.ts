import { QueueConsumerError } from './errors.ts';
import type { QueueConsumerOptions } from './options.ts';

/** Throws an `INVALID_OPTIONS` error for options the consumer cannot work with. */
export function validateOptions(o: QueueConsumerOptions): void {
  const bad = (message: string) => new QueueConsumerError('INVALID_OPTIONS', message);
  if (!o || typeof o !== 'object') throw bad('options are required');
  if (!o.sqs) throw bad('sqs (an SQSClient) is required');
  if (typeof o.queueUrl !== 'string' || o.queueUrl === '') throw bad('queueUrl is required');
  if (!o.handler === !o.batchHandler) throw bad('give exactly one of handler and batchHandler');
  if (o.concurrency !== undefined && !(Number.isInteger(o.concurrency) && o.concurrency >= 1)) {
    throw bad('concurrency must be a positive integer');
  }
  if (o.waitTimeSeconds !== undefined && !(o.waitTimeSeconds >= 0 && o.waitTimeSeconds <= 20)) {
    throw bad('waitTimeSeconds must be between 0 and 20');
  }
  if (o.visibilityTimeout !== undefined && !(o.visibilityTimeout >= 1 && o.visibilityTimeout <= 43_200)) {
    throw bad('visibilityTimeout must be between 1 and 43200 seconds');
  }
  if (o.prefetch !== undefined && !(Number.isInteger(o.prefetch) && o.prefetch >= 0)) {
    throw bad('prefetch must be a non-negative integer');
  }
  if (o.prefetch && o.batchHandler) throw bad('prefetch works with handler, not batchHandler');
  if (o.pollers !== undefined && !(Number.isInteger(o.pollers) && o.pollers >= 1)) {
    throw bad('pollers must be a positive integer');
  }
}
