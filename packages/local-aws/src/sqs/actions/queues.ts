import { invalid, invalidParameter } from '../errors.ts';
import type { QueueRecord } from '../model.ts';
import { ALL_QUEUE_ATTRIBUTE_NAMES, parseRedrivePolicy } from '../queue-attributes.ts';
import type { SqsEngine } from '../sqs-engine.ts';
import { optionalInteger, optionalString, requiredString, stringList, stringMap } from '../validate.ts';
import type { Action } from './action.ts';

const FIFO_ONLY = new Set([
  'FifoQueue',
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'FifoThroughputLimit',
]);

function paginate(
  urls: string[],
  maxResults: number | undefined,
  nextToken: string | undefined,
): { page: string[]; next: string | undefined } {
  const start =
    nextToken === undefined ? 0 : Number.parseInt(Buffer.from(nextToken, 'base64url').toString('utf8'), 10);
  if (!Number.isInteger(start) || start < 0)
    throw invalidParameter('NextToken', nextToken, 'Invalid NextToken.');
  if (maxResults === undefined) return { page: urls.slice(0, 1000), next: undefined };
  const page = urls.slice(start, start + maxResults);
  const end = start + page.length;
  return {
    page,
    next: end < urls.length ? Buffer.from(String(end), 'utf8').toString('base64url') : undefined,
  };
}

/** Current attributes of a queue, settable and computed. */
export function queueAttributes(engine: SqsEngine, queue: QueueRecord): Record<string, string> {
  const counts = engine.counts(queue);
  return {
    ...queue.attributes,
    QueueArn: engine.queueArn(queue.name),
    ApproximateNumberOfMessages: String(counts.visible),
    ApproximateNumberOfMessagesNotVisible: String(counts.notVisible),
    ApproximateNumberOfMessagesDelayed: String(counts.delayed),
    CreatedTimestamp: String(Math.floor(queue.createdAt / 1000)),
    LastModifiedTimestamp: String(Math.floor(queue.modifiedAt / 1000)),
  };
}

export const createQueue: Action = (input, { engine }) => {
  const name = requiredString(input, 'QueueName');
  const queue = engine.createQueue(name, stringMap(input, 'Attributes'), stringMap(input, 'tags'));
  return { QueueUrl: engine.queueUrl(queue.name) };
};

export const getQueueUrl: Action = (input, { engine }) => {
  const queue = engine.queueByName(requiredString(input, 'QueueName'));
  return { QueueUrl: engine.queueUrl(queue.name) };
};

export const listQueues: Action = (input, { engine }) => {
  const prefix = optionalString(input, 'QueueNamePrefix') ?? '';
  const maxResults = optionalInteger(input, 'MaxResults', 1, 1000);
  const urls = engine.store
    .listQueues()
    .filter((queue) => queue.name.startsWith(prefix))
    .map((queue) => engine.queueUrl(queue.name));
  const { page, next } = paginate(urls, maxResults, optionalString(input, 'NextToken'));
  return { QueueUrls: page, ...(next === undefined ? {} : { NextToken: next }) };
};

export const deleteQueue: Action = (input, { engine }) => {
  engine.deleteQueue(engine.queueByUrl(requiredString(input, 'QueueUrl')));
  return {};
};

export const purgeQueue: Action = (input, { engine }) => {
  engine.purgeQueue(engine.queueByUrl(requiredString(input, 'QueueUrl')));
  return {};
};

export const getQueueAttributes: Action = (input, { engine }) => {
  const queue = engine.queueByUrl(requiredString(input, 'QueueUrl'));
  const names = stringList(input, 'AttributeNames');
  for (const name of names) {
    if (!ALL_QUEUE_ATTRIBUTE_NAMES.has(name) || (!queue.fifo && FIFO_ONLY.has(name))) {
      throw invalid('InvalidAttributeName', `Unknown Attribute ${name}.`);
    }
  }
  if (names.length === 0) return {};
  const all = queueAttributes(engine, queue);
  const selected: Record<string, string> = {};
  for (const [name, value] of Object.entries(all)) {
    if (names.includes('All') || names.includes(name)) selected[name] = value;
  }
  return Object.keys(selected).length === 0 ? {} : { Attributes: selected };
};

export const setQueueAttributes: Action = (input, { engine }) => {
  const queue = engine.queueByUrl(requiredString(input, 'QueueUrl'));
  engine.setQueueAttributes(queue, stringMap(input, 'Attributes'));
  return {};
};

export const listDeadLetterSourceQueues: Action = (input, { engine }) => {
  const queue = engine.queueByUrl(requiredString(input, 'QueueUrl'));
  const arn = engine.queueArn(queue.name);
  const maxResults = optionalInteger(input, 'MaxResults', 1, 1000);
  const urls = engine.store
    .listQueues()
    .filter((source) => {
      const policy = source.attributes.RedrivePolicy;
      return policy !== undefined && parseRedrivePolicy(policy).deadLetterTargetArn === arn;
    })
    .map((source) => engine.queueUrl(source.name));
  const { page, next } = paginate(urls, maxResults, optionalString(input, 'NextToken'));
  return { queueUrls: page, ...(next === undefined ? {} : { NextToken: next }) };
};
