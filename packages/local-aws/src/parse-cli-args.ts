import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { InvalidConfigurationError } from './local-aws-error.ts';
import type { S3NotificationConfig } from './s3-notification-rule.ts';
import type { LocalAwsOptions, LocalAwsQueueConfig } from './start-local-aws.ts';

/** What the command line asks for. */
export type CliCommand = { command: 'help' } | { command: 'start'; options: LocalAwsOptions; json: boolean };

/** The `--help` text. */
export const CLI_USAGE: string = `Usage: local-aws start [options]

Runs an SQS-compatible server and an S3 server (s3rver) on this machine, with S3 ObjectCreated
events delivered to SQS queues as bucket notifications. Prints the endpoints and the environment
variables to use. Stops cleanly on SIGINT/SIGTERM.

Options:
  --data-dir DIR        keep queues, messages, buckets and objects in DIR (default: in memory)
  --host HOST           interface to listen on (default: 127.0.0.1)
  --sqs-port N          SQS port, 0 = pick a free one (default: 0)
  --s3-port N           S3 port, 0 = pick a free one (default: 0)
  --region REGION       region for ARNs, events and clients (default: us-east-1)
  --bucket NAME         create bucket NAME (repeatable)
  --queue SPEC          create a queue (repeatable). SPEC is
                        NAME[,dlq=DLQ,maxReceiveCount=N][,visibilityTimeout=S][,<attribute>=V...]
                        where <attribute> is an SQS queue attribute, e.g. delaySeconds,
                        receiveMessageWaitTimeSeconds, messageRetentionPeriod
  --notify SPEC         send S3 events to a queue (repeatable). SPEC is
                        BUCKET[/PREFIX]=QUEUE[,suffix=S][,events=E1+E2][,id=ID]
                        events default to s3:ObjectCreated:*
  --test-event          send s3:TestEvent to each notification's queue at start, as S3 does
  --no-cors             do not give the buckets a permissive CORS rule
  --no-signature-checks accept S3 requests whatever their signature (default: verified as S3 does)
  --config FILE         JSON file with startLocalAws options; flags add to it or override it
  --json                print one JSON line with the endpoints instead of the text summary
  -h, --help            show this help

Example:
  local-aws start --data-dir .local-aws --sqs-port 4566 --s3-port 4567 --bucket media \\
    --queue media-jobs,dlq=media-jobs-dlq,maxReceiveCount=5,visibilityTimeout=60 \\
    --notify media/uploads/=media-jobs
`;

const QUEUE_ATTRIBUTES = [
  'DelaySeconds',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'ReceiveMessageWaitTimeSeconds',
  'VisibilityTimeout',
  'FifoQueue',
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'FifoThroughputLimit',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'SqsManagedSseEnabled',
  'Policy',
  'RedriveAllowPolicy',
  'RedrivePolicy',
];

function usageError(message: string): InvalidConfigurationError {
  return new InvalidConfigurationError(message);
}

function parsePort(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) > 65_535) {
    throw usageError(`${flag} must be a port number from 0 to 65535, got "${value}"`);
  }
  return Number(value);
}

/** Parses `NAME[,dlq=DLQ,maxReceiveCount=N,visibilityTimeout=S,...]`. */
export function parseQueueSpec(spec: string): LocalAwsQueueConfig {
  const [name, ...pairs] = spec.split(',');
  if (!name) throw usageError(`--queue "${spec}" has no queue name`);
  const attributes: Record<string, string> = {};
  let dlq: string | undefined;
  let maxReceiveCount: number | undefined;
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw usageError(`--queue "${spec}": "${pair}" is not key=value`);
    const key = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    if (key === 'dlq') dlq = value;
    else if (key === 'maxReceiveCount') {
      if (!/^\d+$/.test(value) || Number(value) < 1) {
        throw usageError(`--queue "${spec}": maxReceiveCount must be a positive integer`);
      }
      maxReceiveCount = Number(value);
    } else {
      const attribute = key[0]?.toUpperCase() + key.slice(1);
      if (!QUEUE_ATTRIBUTES.includes(attribute)) {
        throw usageError(`--queue "${spec}": unknown queue attribute "${key}"`);
      }
      attributes[attribute] = value;
    }
  }
  if (maxReceiveCount !== undefined && dlq === undefined) {
    throw usageError(`--queue "${spec}": maxReceiveCount needs dlq=NAME`);
  }
  if (dlq !== undefined && maxReceiveCount === undefined) {
    throw usageError(`--queue "${spec}": dlq needs maxReceiveCount=N`);
  }
  return {
    name,
    ...(Object.keys(attributes).length > 0 ? { attributes } : {}),
    ...(dlq !== undefined && maxReceiveCount !== undefined
      ? { deadLetter: { name: dlq, maxReceiveCount } }
      : {}),
  };
}

/** Parses `BUCKET[/PREFIX]=QUEUE[,suffix=S][,events=E1+E2][,id=ID]`. */
export function parseNotifySpec(spec: string): S3NotificationConfig {
  const eq = spec.lastIndexOf('=', spec.indexOf(',') === -1 ? undefined : spec.indexOf(','));
  if (eq <= 0) throw usageError(`--notify "${spec}" is not BUCKET[/PREFIX]=QUEUE`);
  const target = spec.slice(0, eq);
  const [queue, ...pairs] = spec.slice(eq + 1).split(',');
  if (!queue) throw usageError(`--notify "${spec}" has no queue`);
  const slash = target.indexOf('/');
  const bucket = slash === -1 ? target : target.slice(0, slash);
  const prefix = slash === -1 ? '' : target.slice(slash + 1);
  if (!bucket) throw usageError(`--notify "${spec}" has no bucket`);
  const config: S3NotificationConfig = { bucket, queue };
  if (prefix) config.prefix = prefix;
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    const key = pair.slice(0, at);
    const value = pair.slice(at + 1);
    if (at <= 0 || !value) throw usageError(`--notify "${spec}": "${pair}" is not key=value`);
    if (key === 'suffix') config.suffix = value;
    else if (key === 'id') config.id = value;
    else if (key === 'events') config.events = value.split('+');
    else throw usageError(`--notify "${spec}": unknown setting "${key}" (suffix, events, id)`);
  }
  return config;
}

function readConfigFile(file: string): LocalAwsOptions {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new InvalidConfigurationError(`cannot read config file ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw usageError(`config file ${file} must hold a JSON object with startLocalAws options`);
  }
  const options = parsed as LocalAwsOptions;
  const known = new Set([
    'dataDir',
    'host',
    'sqsPort',
    's3Port',
    'region',
    'queues',
    'buckets',
    'notifications',
    'sendTestEvent',
    'cors',
    'checkSignatures',
  ]);
  for (const key of Object.keys(options)) {
    if (!known.has(key)) throw usageError(`config file ${file}: unknown option "${key}"`);
  }
  // A relative data directory in a config file is relative to that file.
  if (typeof options.dataDir === 'string') {
    options.dataDir = resolve(dirname(resolve(file)), options.dataDir);
  }
  return options;
}

/** Turns `local-aws` arguments (without node and the script) into a command; throws on bad flags. */
export function parseCliArgs(argv: readonly string[]): CliCommand {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw usageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: 'help' };
  const [command, ...extra] = positionals;
  if (command === undefined) throw usageError('missing command: local-aws start [options]');
  if (command === 'help') return { command: 'help' };
  if (command !== 'start') throw usageError(`unknown command "${command}" (try: local-aws start)`);
  if (extra.length > 0) throw usageError(`unexpected argument "${extra[0]}"`);

  const options: LocalAwsOptions = values.config ? readConfigFile(values.config) : {};
  if (values['data-dir'] !== undefined) options.dataDir = values['data-dir'];
  if (values.host !== undefined) options.host = values.host;
  if (values.region !== undefined) options.region = values.region;
  const sqsPort = parsePort('--sqs-port', values['sqs-port']);
  if (sqsPort !== undefined) options.sqsPort = sqsPort;
  const s3Port = parsePort('--s3-port', values['s3-port']);
  if (s3Port !== undefined) options.s3Port = s3Port;
  if (values.bucket?.length) options.buckets = [...(options.buckets ?? []), ...values.bucket];
  if (values.queue?.length) {
    options.queues = [...(options.queues ?? []), ...values.queue.map(parseQueueSpec)];
  }
  if (values.notify?.length) {
    options.notifications = [...(options.notifications ?? []), ...values.notify.map(parseNotifySpec)];
  }
  if (values['test-event']) options.sendTestEvent = true;
  if (values['no-cors']) options.cors = false;
  if (values['no-signature-checks']) options.checkSignatures = false;
  return { command: 'start', options, json: Boolean(values.json) };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      'data-dir': { type: 'string' },
      host: { type: 'string' },
      'sqs-port': { type: 'string' },
      's3-port': { type: 'string' },
      region: { type: 'string' },
      bucket: { type: 'string', multiple: true },
      queue: { type: 'string', multiple: true },
      notify: { type: 'string', multiple: true },
      'test-event': { type: 'boolean' },
      'no-cors': { type: 'boolean' },
      'no-signature-checks': { type: 'boolean' },
      config: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
