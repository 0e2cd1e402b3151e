import { invalid, SqsServerError } from './errors.ts';

/** Queue attributes a caller may set, with AWS's defaults (strings, as AWS returns them). */
export const STANDARD_DEFAULTS: Readonly<Record<string, string>> = {
  DelaySeconds: '0',
  MaximumMessageSize: '1048576',
  MessageRetentionPeriod: '345600',
  ReceiveMessageWaitTimeSeconds: '0',
  VisibilityTimeout: '30',
  SqsManagedSseEnabled: 'true',
};

/** Extra defaults of a FIFO queue. */
export const FIFO_DEFAULTS: Readonly<Record<string, string>> = {
  FifoQueue: 'true',
  ContentBasedDeduplication: 'false',
  DeduplicationScope: 'queue',
  FifoThroughputLimit: 'perQueue',
};

const INTEGER_RANGES: Record<string, [number, number]> = {
  DelaySeconds: [0, 900],
  MaximumMessageSize: [1024, 1048576],
  MessageRetentionPeriod: [60, 1209600],
  ReceiveMessageWaitTimeSeconds: [0, 20],
  VisibilityTimeout: [0, 43200],
  KmsDataKeyReusePeriodSeconds: [60, 86400],
};

const SETTABLE = new Set([
  ...Object.keys(INTEGER_RANGES),
  'Policy',
  'RedrivePolicy',
  'RedriveAllowPolicy',
  'KmsMasterKeyId',
  'SqsManagedSseEnabled',
  'FifoQueue',
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'FifoThroughputLimit',
]);

const FIFO_ONLY = new Set(['ContentBasedDeduplication', 'DeduplicationScope', 'FifoThroughputLimit']);

/** Attributes computed on read. */
export const READ_ONLY_ATTRIBUTES: readonly string[] = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'QueueArn',
];

/** Every attribute name GetQueueAttributes accepts. */
export const ALL_QUEUE_ATTRIBUTE_NAMES: ReadonlySet<string> = new Set([
  ...SETTABLE,
  ...READ_ONLY_ATTRIBUTES,
  'All',
]);

function invalidValue(name: string): SqsServerError {
  return invalid('InvalidAttributeValue', `Invalid value for the parameter ${name}.`);
}

/** A parsed RedrivePolicy. */
export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

/** Parses a RedrivePolicy attribute value (maxReceiveCount may be a number or a numeric string). */
export function parseRedrivePolicy(value: string): RedrivePolicy {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (cause) {
    throw new SqsServerError(
      'InvalidAttributeValue',
      'Invalid value for the parameter RedrivePolicy. Reason: Redrive policy is not a valid JSON map.',
      { cause },
    );
  }
  if (typeof parsed !== 'object' || parsed === null) {
    throw invalid(
      'InvalidAttributeValue',
      'Invalid value for the parameter RedrivePolicy. Reason: Redrive policy is not a valid JSON map.',
    );
  }
  const record = parsed as Record<string, unknown>;
  const arn = record.deadLetterTargetArn;
  const count = Number(record.maxReceiveCount);
  if (typeof arn !== 'string' || arn === '') {
    throw invalid(
      'InvalidAttributeValue',
      'Value for parameter RedrivePolicy is invalid. Reason: Redrive policy does not contain mandatory attribute: deadLetterTargetArn.',
    );
  }
  if (record.maxReceiveCount === undefined) {
    throw invalid(
      'InvalidAttributeValue',
      'Value for parameter RedrivePolicy is invalid. Reason: Redrive policy does not contain mandatory attribute: maxReceiveCount.',
    );
  }
  if (!Number.isInteger(count) || count < 1 || count > 1000) {
    throw invalid(
      'InvalidAttributeValue',
      'Value for parameter RedrivePolicy is invalid. Reason: Invalid value for maxReceiveCount: must be an integer from 1 to 1000.',
    );
  }
  return { deadLetterTargetArn: arn, maxReceiveCount: count };
}

/**
 * Validates attributes for CreateQueue/SetQueueAttributes and returns them normalised to strings.
 * `queueArnExists` checks that a RedrivePolicy's dead-letter queue exists (AWS requires it).
 */
export function validateQueueAttributes(
  attributes: Record<string, string>,
  fifo: boolean,
  queueArnExists: (arn: string) => { fifo: boolean } | undefined,
  creating: boolean,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, raw] of Object.entries(attributes)) {
    const value = String(raw);
    if (!SETTABLE.has(name)) {
      throw invalid('InvalidAttributeName', `Unknown Attribute ${name}.`);
    }
    const range = INTEGER_RANGES[name];
    if (range !== undefined) {
      const number = Number(value);
      if (value.trim() === '' || !Number.isInteger(number) || number < range[0] || number > range[1]) {
        throw invalidValue(name);
      }
      result[name] = String(number);
      continue;
    }
    switch (name) {
      case 'FifoQueue':
        if (value !== 'true' && value !== 'false') throw invalidValue(name);
        if (!creating) throw invalid('InvalidAttributeName', `Unknown Attribute ${name}.`);
        if ((value === 'true') !== fifo) {
          throw invalid(
            'InvalidParameterValue',
            fifo
              ? 'The name of a FIFO queue must end with the .fifo suffix and FifoQueue must be true.'
              : 'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.',
          );
        }
        if (value === 'true') result[name] = value;
        continue;
      case 'ContentBasedDeduplication':
      case 'SqsManagedSseEnabled':
        if (value !== 'true' && value !== 'false') throw invalidValue(name);
        break;
      case 'DeduplicationScope':
        if (value !== 'queue' && value !== 'messageGroup') throw invalidValue(name);
        break;
      case 'FifoThroughputLimit':
        if (value !== 'perQueue' && value !== 'perMessageGroupId') throw invalidValue(name);
        break;
      case 'RedrivePolicy': {
        if (value === '') break;
        const policy = parseRedrivePolicy(value);
        const target = queueArnExists(policy.deadLetterTargetArn);
        if (target === undefined) {
          throw invalid(
            'InvalidParameterValue',
            'Value for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.',
          );
        }
        if (target.fifo !== fifo) {
          throw invalid(
            'InvalidParameterValue',
            'Value for parameter RedrivePolicy is invalid. Reason: Dead-letter queue must be same type of queue as the source.',
          );
        }
        result[name] = JSON.stringify({
          deadLetterTargetArn: policy.deadLetterTargetArn,
          maxReceiveCount: policy.maxReceiveCount,
        });
        continue;
      }
      case 'RedriveAllowPolicy':
      case 'Policy':
        if (value !== '') {
          try {
            JSON.parse(value);
          } catch (cause) {
            throw new SqsServerError('InvalidAttributeValue', `Invalid value for the parameter ${name}.`, {
              cause,
            });
          }
        }
        break;
      default:
        break;
    }
    if (FIFO_ONLY.has(name) && !fifo) {
      throw invalid('InvalidAttributeName', `Unknown Attribute ${name}.`);
    }
    result[name] = value;
  }
  return result;
}

/** Reads an integer attribute of a queue (falling back to the AWS default). */
export function intAttribute(attributes: Record<string, string>, name: string): number {
  return Number(attributes[name] ?? STANDARD_DEFAULTS[name] ?? '0');
}
