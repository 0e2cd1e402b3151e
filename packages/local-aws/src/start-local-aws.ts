import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { InvalidConfigurationError, NotificationDeliveryError } from './local-aws-error.ts';
import { buildS3EventNotification, buildS3TestEvent } from './s3-event.ts';
import { S3NotificationRegistry } from './s3-notification-registry.ts';
import { type S3NotificationConfig, toNotificationRules } from './s3-notification-rule.ts';
import {
  parseNotificationConfigurationXml,
  S3ApiError,
  serializeNotificationConfigurationXml,
  toNotificationConfig,
} from './s3-notification-xml.ts';
import { type S3Server, startS3Server } from './s3-server.ts';
import { type SqsServer, SqsServerError, startSqsServer } from './sqs/index.ts';
import { SqsAdminClient } from './sqs-admin-client.ts';

/** A queue to create at start (kept, with its messages, when it exists already in `dataDir`). */
export interface LocalAwsQueueConfig {
  /** Queue name; a name ending in `.fifo` makes a FIFO queue. */
  name: string;
  /** SQS queue attributes, e.g. `{ VisibilityTimeout: '60' }`. Applied again to an existing queue. */
  attributes?: Record<string, string> | undefined;
  /**
   * Shorthand for a dead-letter queue: creates the queue `name` (unless it exists) and sets this
   * queue's `RedrivePolicy` to move a message there after `maxReceiveCount` receives.
   */
  deadLetter?: { name: string; maxReceiveCount: number } | undefined;
}

/** Options of {@link startLocalAws}. Every field is optional. */
export interface LocalAwsOptions {
  /**
   * Directory for durable state: SQS in `<dataDir>/sqs`, S3 objects in `<dataDir>/s3`. Created if
   * missing; a restart with the same directory finds every queue, message, bucket and object.
   * @default undefined: in-memory SQS and a temporary S3 directory that `stop()` removes
   */
  dataDir?: string | undefined;
  /** Interface both servers listen on. @default '127.0.0.1' */
  host?: string | undefined;
  /** SQS port; 0 picks a free one. @default 0 */
  sqsPort?: number | undefined;
  /** S3 port; 0 picks a free one. @default 0 */
  s3Port?: number | undefined;
  /**
   * Milliseconds added to every SQS answer, to stand in for the network (real SQS answers in 10–30 ms,
   * loopback in about 1): benchmark or test a consumer under the latency it will meet. @default 0
   */
  sqsLatencyMs?: number | undefined;
  /** Region reported in queue ARNs, S3 events and `clientConfig()`. @default 'us-east-1' */
  region?: string | undefined;
  /** Queues to create (dead-letter queues first). @default [] */
  queues?: LocalAwsQueueConfig[] | undefined;
  /** Buckets to create. @default [] */
  buckets?: string[] | undefined;
  /** S3 event notifications to SQS queues. @default [] */
  notifications?: S3NotificationConfig[] | undefined;
  /**
   * Send the `s3:TestEvent` message to each notification's queue at start, as S3 does when a
   * notification configuration is set. Off by default because the configuration is applied again
   * at every start. @default false
   */
  sendTestEvent?: boolean | undefined;
  /**
   * Give every bucket in `buckets` a permissive CORS rule (any origin, GET/PUT/POST/DELETE/HEAD, any
   * request header, `ETag` exposed) so a browser can upload to a presigned URL. @default true
   */
  cors?: boolean | undefined;
  /**
   * Verify S3 request signatures as S3 does (SigV4 header or presigned query: signature, expiry, the
   * signed headers such as `content-length` and `content-type`): a request signed with other
   * credentials than {@link LOCAL_AWS_CREDENTIALS}, an expired URL or another size or type than signed
   * gets S3's 403 error XML, and so does an unsigned request (as from a private bucket). `false`
   * accepts any credentials, any signature and anonymous requests. @default true
   */
  checkSignatures?: boolean | undefined;
  /**
   * Receives S3 events that could not be put on their queue (the S3 request itself still succeeds,
   * as with S3). @default writes the error to stderr
   */
  onNotificationError?: ((error: NotificationDeliveryError) => void) | undefined;
}

/** Credentials for local-aws clients: the only ones S3 accepts while signatures are checked. */
export interface LocalAwsCredentials {
  /** `'local-aws'`. */
  accessKeyId: string;
  /** `'local-aws-secret'`. */
  secretAccessKey: string;
}

/** Client configurations ready to pass to `new SQSClient(...)` and `new S3Client(...)`. */
export interface LocalAwsClientConfig {
  /** The region in use. */
  region: string;
  /** {@link LOCAL_AWS_CREDENTIALS} (a copy). */
  credentials: LocalAwsCredentials;
  /** For `new SQSClient(config.sqs)`. */
  sqs: { endpoint: string; region: string; credentials: LocalAwsCredentials };
  /** For `new S3Client(config.s3)`: path-style, since the S3 side serves no virtual-hosted buckets. */
  s3: { endpoint: string; region: string; credentials: LocalAwsCredentials; forcePathStyle: true };
}

/** A running local-aws: an SQS-compatible server and an S3 server with notifications between them. */
export interface LocalAws {
  /** SQS endpoint URL, e.g. `http://127.0.0.1:4566`. */
  readonly sqsEndpoint: string;
  /** S3 endpoint URL, e.g. `http://127.0.0.1:4567` (path-style: set `forcePathStyle: true`). */
  readonly s3Endpoint: string;
  /** The region in use (`options.region`, default `'us-east-1'`). */
  readonly region: string;
  /** {@link LOCAL_AWS_CREDENTIALS}: the only credentials S3 accepts while signatures are checked. */
  readonly credentials: LocalAwsCredentials;
  /** The embedded SQS server (create queues or send messages in-process). */
  readonly sqs: SqsServer;
  /** URL of a queue: `http://<host>:<port>/<account>/<name>`. */
  queueUrl(name: string): string;
  /** `{ sqs, s3 }` configurations for the AWS SDK v3 clients. */
  clientConfig(): LocalAwsClientConfig;
  /**
   * The environment variables that point the AWS SDKs and CLI here: `AWS_ENDPOINT_URL_SQS`,
   * `AWS_ENDPOINT_URL_S3`, `AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`.
   */
  env(): Record<string, string>;
  /** Stops both servers and closes their connections; removes the temporary S3 directory. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * The credentials local-aws hands out. With signature checks on (the default) S3 accepts only these;
 * SQS accepts any.
 *
 * @example
 * ```ts
 * import { S3Client } from '@aws-sdk/client-s3';
 * import { LOCAL_AWS_CREDENTIALS } from '@media-server/local-aws';
 *
 * // A local-aws started by the `local-aws` command on its default ports.
 * const s3 = new S3Client({
 *   endpoint: 'http://127.0.0.1:4567',
 *   region: 'us-east-1',
 *   credentials: LOCAL_AWS_CREDENTIALS,
 *   forcePathStyle: true,
 * });
 * ```
 */
export const LOCAL_AWS_CREDENTIALS: LocalAwsCredentials = Object.freeze({
  accessKeyId: 'local-aws',
  secretAccessKey: 'local-aws-secret',
});

const BUCKET_OWNER_PRINCIPAL_ID = 'LOCALAWSOWNER';

function checkPort(name: string, port: number | undefined): number {
  const value = port ?? 0;
  if (!Number.isInteger(value) || value < 0 || value > 65_535) {
    throw new InvalidConfigurationError(`${name} must be an integer from 0 to 65535, got ${port}`);
  }
  return value;
}

/** S3's rules for (general purpose) bucket names. */
function checkBucketName(name: string): void {
  const valid =
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) &&
    !name.includes('..') &&
    !/^\d+\.\d+\.\d+\.\d+$/.test(name) &&
    !name.startsWith('xn--') &&
    !name.endsWith('-s3alias');
  if (!valid) {
    throw new InvalidConfigurationError(
      `invalid bucket name "${name}": 3-63 characters of a-z, 0-9, '.' and '-', starting and ending with a letter or digit`,
    );
  }
}

interface PlannedQueue {
  name: string;
  attributes: Record<string, string>;
  deadLetter?: LocalAwsQueueConfig['deadLetter'];
}

/** Queues in creation order (dead-letter targets first) with the attributes each gets. */
function planQueues(queues: readonly LocalAwsQueueConfig[]): PlannedQueue[] {
  const byName = new Map<string, LocalAwsQueueConfig>();
  for (const queue of queues) {
    if (!queue.name) throw new InvalidConfigurationError('a queue needs a name');
    if (byName.has(queue.name)) throw new InvalidConfigurationError(`queue "${queue.name}" is listed twice`);
    byName.set(queue.name, queue);
  }
  const ordered: LocalAwsQueueConfig[] = [];
  const placed = new Set<string>();
  const place = (queue: LocalAwsQueueConfig, path: readonly string[]): void => {
    if (placed.has(queue.name)) return;
    if (path.includes(queue.name)) {
      throw new InvalidConfigurationError(
        `dead-letter queues form a cycle: ${[...path, queue.name].join(' -> ')}`,
      );
    }
    const deadLetter = queue.deadLetter;
    if (deadLetter) {
      if (!deadLetter.name)
        throw new InvalidConfigurationError(`the dead-letter queue of "${queue.name}" needs a name`);
      if (!Number.isInteger(deadLetter.maxReceiveCount) || deadLetter.maxReceiveCount < 1) {
        throw new InvalidConfigurationError(
          `maxReceiveCount of "${queue.name}" must be a positive integer, got ${deadLetter.maxReceiveCount}`,
        );
      }
      place(byName.get(deadLetter.name) ?? { name: deadLetter.name }, [...path, queue.name]);
    }
    placed.add(queue.name);
    ordered.push(queue);
  };
  for (const queue of queues) place(queue, []);
  return ordered.map((queue) => ({
    name: queue.name,
    attributes: {
      ...(queue.name.endsWith('.fifo') ? { FifoQueue: 'true' } : {}),
      ...queue.attributes,
    },
    ...(queue.deadLetter ? { deadLetter: queue.deadLetter } : {}),
  }));
}

async function ensureQueues(sqs: SqsServer, queues: readonly LocalAwsQueueConfig[]): Promise<void> {
  const admin = new SqsAdminClient(sqs.endpoint);
  for (const queue of planQueues(queues)) {
    try {
      await ensureQueue(sqs, admin, queue);
    } catch (error) {
      const clientFault =
        (error instanceof SqsServerError && error.fault === 'Sender') ||
        Math.floor(((error as { status?: number }).status ?? 0) / 100) === 4;
      if (!clientFault) throw error;
      throw new InvalidConfigurationError(
        `cannot set up queue "${queue.name}": ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }
}

async function ensureQueue(sqs: SqsServer, admin: SqsAdminClient, queue: PlannedQueue): Promise<void> {
  const attributes = { ...queue.attributes };
  if (queue.deadLetter) {
    const dlqUrl = await admin.getQueueUrl(queue.deadLetter.name);
    if (!dlqUrl) throw new Error(`dead-letter queue "${queue.deadLetter.name}" was not created`);
    attributes.RedrivePolicy = JSON.stringify({
      deadLetterTargetArn: await admin.getQueueArn(dlqUrl),
      maxReceiveCount: queue.deadLetter.maxReceiveCount,
    });
  }
  const existing = await admin.getQueueUrl(queue.name);
  if (existing === undefined) {
    await sqs.createQueue(queue.name, attributes);
  } else {
    // A queue kept from an earlier run: bring its settings up to date, keep its messages.
    const { FifoQueue: _fifo, ...settable } = attributes;
    if (Object.keys(settable).length > 0) await admin.setQueueAttributes(existing, settable);
  }
}

/**
 * Starts local-aws: the SQS-compatible server and S3 (s3rver), creates the queues and buckets, and
 * sends S3 `ObjectCreated` events to queues as bucket notifications do. Always `stop()` it.
 *
 * @param options Every field is optional; see {@link LocalAwsOptions} for the defaults.
 * @returns The running servers. Rejects with a {@link LocalAwsError} (`InvalidConfigurationError`,
 *   `PortInUseError`, ...) after stopping whatever had started.
 * @example
 * ```ts
 * import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
 * import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
 * import { startLocalAws } from '@media-server/local-aws';
 *
 * const aws = await startLocalAws({
 *   queues: [{ name: 'jobs', deadLetter: { name: 'jobs-dlq', maxReceiveCount: 5 } }],
 *   buckets: ['media'],
 *   notifications: [{ bucket: 'media', queue: 'jobs', prefix: 'uploads/' }],
 * });
 * const sqs = new SQSClient(aws.clientConfig().sqs);
 * const s3 = new S3Client(aws.clientConfig().s3);
 * await s3.send(new PutObjectCommand({ Bucket: 'media', Key: 'uploads/a.mp4', Body: 'video' }));
 * const { Messages } = await sqs.send(
 *   new ReceiveMessageCommand({ QueueUrl: aws.queueUrl('jobs'), WaitTimeSeconds: 5 }),
 * );
 * console.log(JSON.parse(Messages?.[0]?.Body ?? '{}').Records[0].s3.object.key); // uploads/a.mp4
 * sqs.destroy();
 * s3.destroy();
 * await aws.stop();
 * ```
 */
export async function startLocalAws(options: LocalAwsOptions = {}): Promise<LocalAws> {
  const host = options.host ?? '127.0.0.1';
  const region = options.region ?? 'us-east-1';
  const sqsPort = checkPort('sqsPort', options.sqsPort);
  const s3Port = checkPort('s3Port', options.s3Port);
  const buckets = [...new Set(options.buckets ?? [])];
  for (const bucket of buckets) checkBucketName(bucket);
  const notifications = new S3NotificationRegistry(options.notifications ?? []);
  planQueues(options.queues ?? []); // validate before anything starts
  const onNotificationError =
    options.onNotificationError ??
    ((error: NotificationDeliveryError) => {
      process.stderr.write(`local-aws: ${error.message}: ${String(error.cause)}\n`);
    });

  const sqsLatencyMs = options.sqsLatencyMs ?? 0;
  if (!(Number.isFinite(sqsLatencyMs) && sqsLatencyMs >= 0 && sqsLatencyMs <= 60_000)) {
    throw new InvalidConfigurationError(
      `sqsLatencyMs must be a number of milliseconds from 0 to 60000, got ${String(options.sqsLatencyMs)}`,
    );
  }
  const dataDir = options.dataDir === undefined ? undefined : resolve(options.dataDir);
  const s3Directory =
    dataDir === undefined ? await mkdtemp(join(tmpdir(), 'local-aws-s3-')) : join(dataDir, 's3');
  if (dataDir !== undefined) await mkdir(s3Directory, { recursive: true });

  let sqs: SqsServer | undefined;
  let s3: S3Server | undefined;
  const cleanUp = async (): Promise<void> => {
    // S3 first, so no request is left whose event has no queue to go to.
    await s3?.stop().catch(() => undefined);
    await sqs?.stop().catch(() => undefined);
    if (dataDir === undefined) await rm(s3Directory, { recursive: true, force: true });
  };

  try {
    sqs = await startSqsServer({
      host,
      port: sqsPort,
      region,
      latencyMs: sqsLatencyMs,
      ...(dataDir === undefined ? {} : { dataDir: join(dataDir, 'sqs') }),
    });
    await ensureQueues(sqs, options.queues ?? []);
    const sqsServer = sqs;
    const admin = new SqsAdminClient(sqs.endpoint);
    const queueArn = (name: string): string => {
      const account = new URL(sqsServer.queueUrl(name)).pathname.split('/')[1];
      return `arn:aws:sqs:${region}:${account}:${name}`;
    };

    s3 = await startS3Server({
      host,
      port: s3Port,
      directory: s3Directory,
      buckets,
      cors: options.cors ?? true,
      checkSignatures: options.checkSignatures ?? true,
      credentials: LOCAL_AWS_CREDENTIALS,
      onError: (error, facts) => {
        onNotificationError(
          error instanceof NotificationDeliveryError
            ? error
            : new NotificationDeliveryError(facts.bucket, facts.key, '(all)', { cause: error }),
        );
      },
      notificationConfiguration: {
        get: async (bucket) =>
          serializeNotificationConfigurationXml(
            notifications.get(bucket).map((rule) => ({
              id: rule.id,
              queueArn: queueArn(rule.queue),
              events: [...rule.configuredEvents],
              prefix: rule.prefix,
              suffix: rule.suffix,
            })),
          ),
        put: async (bucket, xml, skipDestinationValidation) => {
          const configs = parseNotificationConfigurationXml(xml).map((entry) =>
            toNotificationConfig(bucket, entry),
          );
          let rules: ReturnType<typeof toNotificationRules>;
          try {
            rules = toNotificationRules(configs);
          } catch (error) {
            throw new S3ApiError('InvalidArgument', 400, (error as Error).message);
          }
          const queues = [...new Set(rules.map((rule) => rule.queue))];
          if (!skipDestinationValidation) {
            for (const queue of queues) {
              if ((await admin.getQueueUrl(queue)) === undefined) {
                throw new S3ApiError(
                  'InvalidArgument',
                  400,
                  `Unable to validate the following destination configurations: queue ${queueArn(queue)} does not exist`,
                );
              }
            }
          }
          notifications.set(bucket, rules);
          // As S3 does when a configuration is set through the API.
          for (const queue of queues) {
            await sqsServer
              .sendMessage(queue, JSON.stringify(buildS3TestEvent(bucket)))
              .catch(() => undefined);
          }
        },
      },
      onObjectCreated: async (facts) => {
        for (const rule of notifications.matching(facts.bucket, facts.key, facts.eventName)) {
          const body = buildS3EventNotification(facts, {
            region,
            configurationId: rule.id,
            bucketOwnerPrincipalId: BUCKET_OWNER_PRINCIPAL_ID,
          });
          try {
            await sqsServer.sendMessage(rule.queue, JSON.stringify(body));
          } catch (error) {
            onNotificationError(
              new NotificationDeliveryError(facts.bucket, facts.key, rule.queue, { cause: error }),
            );
          }
        }
      },
    });

    for (const rule of notifications.all()) {
      if (!buckets.includes(rule.bucket) && !(await s3.bucketExists(rule.bucket))) {
        throw new InvalidConfigurationError(
          `notification "${rule.id}" names bucket "${rule.bucket}", which is neither in buckets nor in the data directory`,
        );
      }
      if ((await admin.getQueueUrl(rule.queue)) === undefined) {
        throw new InvalidConfigurationError(
          `notification "${rule.id}" names queue "${rule.queue}", which is neither in queues nor in the data directory`,
        );
      }
    }
    if (options.sendTestEvent) {
      for (const rule of notifications.all()) {
        await sqs.sendMessage(rule.queue, JSON.stringify(buildS3TestEvent(rule.bucket)));
      }
    }
  } catch (error) {
    await cleanUp();
    throw error;
  }

  const sqsServer = sqs;
  const s3Server = s3;
  const credentials = LOCAL_AWS_CREDENTIALS;
  let stopping: Promise<void> | undefined;
  return {
    sqsEndpoint: sqsServer.endpoint,
    s3Endpoint: s3Server.endpoint,
    region,
    credentials,
    sqs: sqsServer,
    queueUrl: (name) => sqsServer.queueUrl(name),
    clientConfig: () => ({
      region,
      credentials: { ...credentials },
      sqs: { endpoint: sqsServer.endpoint, region, credentials: { ...credentials } },
      s3: { endpoint: s3Server.endpoint, region, credentials: { ...credentials }, forcePathStyle: true },
    }),
    env: () => ({
      AWS_ENDPOINT_URL_SQS: sqsServer.endpoint,
      AWS_ENDPOINT_URL_S3: s3Server.endpoint,
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    }),
    stop: () => {
      stopping ??= cleanUp();
      return stopping;
    },
  };
}
