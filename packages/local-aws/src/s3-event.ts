import { randomBytes } from 'node:crypto';
import { encodeS3EventKey } from './s3-event-key.ts';

/** The `ObjectCreated` event names S3 sends (the part after `s3:`). */
export type S3ObjectCreatedEventName =
  | 'ObjectCreated:Put'
  | 'ObjectCreated:Post'
  | 'ObjectCreated:Copy'
  | 'ObjectCreated:CompleteMultipartUpload';

/**
 * One record of an S3 event notification, event structure version 2.1, as S3 puts it on a queue. The
 * object key is URL-form-encoded: decode it with {@link decodeS3EventKey}.
 */
export interface S3EventRecord {
  /** Version of the event structure. */
  eventVersion: '2.1';
  /** Always `aws:s3`. */
  eventSource: 'aws:s3';
  /** The region local-aws runs as (`options.region`). */
  awsRegion: string;
  /** ISO-8601 with milliseconds, when the request finished. */
  eventTime: string;
  /** Which kind of creation. */
  eventName: S3ObjectCreatedEventName;
  /** Who made the request: `AWS:<access key id>` when signed, else `ANONYMOUS_PRINCIPAL`. */
  userIdentity: { principalId: string };
  /** The client's address. */
  requestParameters: { sourceIPAddress: string };
  /** The ids of the S3 request that created the object. */
  responseElements: { 'x-amz-request-id': string; 'x-amz-id-2': string };
  /** The notification configuration, the bucket and the object. */
  s3: {
    s3SchemaVersion: '1.0';
    configurationId: string;
    bucket: { name: string; ownerIdentity: { principalId: string }; arn: string };
    object: {
      /** URL-form-encoded key (see `decodeS3EventKey`). */
      key: string;
      size: number;
      /** Hex ETag without quotes. */
      eTag: string;
      versionId?: string;
      /** Upper-case hex; of two events for one key, the later has the greater sequencer. */
      sequencer: string;
    };
  };
}

/** The body of a message that S3 sends for an object event. S3 sends one record per message. */
export interface S3EventNotification {
  /** The records: always one, for a message S3 sends. */
  Records: S3EventRecord[];
}

/** The message S3 sends to a queue when a notification configuration is set on a bucket. */
export interface S3TestEvent {
  /** Always `Amazon S3`. */
  Service: 'Amazon S3';
  /** Always `s3:TestEvent`: what tells it from an event with `Records`. */
  Event: 's3:TestEvent';
  /** ISO-8601 time the configuration was set. */
  Time: string;
  /** The bucket the configuration was set on. */
  Bucket: string;
  /** Id of the request, in S3's form. */
  RequestId: string;
  /** `x-amz-id-2` of the request, in S3's form. */
  HostId: string;
}

/** Facts about one created object, gathered from the S3 request that created it. */
export interface ObjectCreatedFacts {
  eventName: S3ObjectCreatedEventName;
  bucket: string;
  /** The object key as stored (decoded). */
  key: string;
  size: number;
  eTag: string;
  versionId?: string | undefined;
  sourceIp: string;
  principalId: string;
  requestId: string;
  hostId: string;
  time: Date;
  sequencer: string;
}

/** Where the record is sent from: the values that belong to the configuration rather than the request. */
export interface S3EventContext {
  region: string;
  configurationId: string;
  bucketOwnerPrincipalId: string;
}

/** Builds the notification body S3 sends for a created object. */
export function buildS3EventNotification(
  facts: ObjectCreatedFacts,
  context: S3EventContext,
): S3EventNotification {
  const object: S3EventRecord['s3']['object'] = {
    key: encodeS3EventKey(facts.key),
    size: facts.size,
    eTag: facts.eTag.replaceAll('"', ''),
    ...(facts.versionId === undefined ? {} : { versionId: facts.versionId }),
    sequencer: facts.sequencer,
  };
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: context.region,
        eventTime: facts.time.toISOString(),
        eventName: facts.eventName,
        userIdentity: { principalId: facts.principalId },
        requestParameters: { sourceIPAddress: facts.sourceIp },
        responseElements: { 'x-amz-request-id': facts.requestId, 'x-amz-id-2': facts.hostId },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: context.configurationId,
          bucket: {
            name: facts.bucket,
            ownerIdentity: { principalId: context.bucketOwnerPrincipalId },
            arn: `arn:aws:s3:::${facts.bucket}`,
          },
          object,
        },
      },
    ],
  };
}

/**
 * Builds the `s3:TestEvent` message S3 sends to a queue when a notification configuration is set: a
 * fixture for tests of consumers, which must acknowledge it without work.
 *
 * @param bucket The bucket the configuration was set on.
 * @param time The event's `Time`. Default: now.
 * @example
 * ```ts
 * import { buildS3TestEvent, startLocalAws } from '@media-server/local-aws';
 *
 * const aws = await startLocalAws({ queues: [{ name: 'jobs' }] });
 * await aws.sqs.sendMessage('jobs', JSON.stringify(buildS3TestEvent('media')));
 * // ... the consumer under test must delete it and start no job
 * await aws.stop();
 * ```
 */
export function buildS3TestEvent(bucket: string, time: Date = new Date()): S3TestEvent {
  return {
    Service: 'Amazon S3',
    Event: 's3:TestEvent',
    Time: time.toISOString(),
    Bucket: bucket,
    RequestId: newRequestId(),
    HostId: newHostId(),
  };
}

/** A request id in S3's form: 16 upper-case hex digits. */
export function newRequestId(): string {
  return randomBytes(8).toString('hex').toUpperCase();
}

/** An `x-amz-id-2` in S3's form: an opaque base64 string. */
export function newHostId(): string {
  return randomBytes(48).toString('base64');
}

/**
 * Hands out S3-style sequencers: 18 upper-case hex digits, strictly increasing within a process and
 * across restarts (milliseconds since the epoch in the high bits, a counter in the low bits).
 */
export class Sequencer {
  #last = 0n;

  /** The next sequencer, greater than every one handed out before. */
  next(): string {
    const fromClock = BigInt(Date.now()) << 20n;
    this.#last = fromClock > this.#last ? fromClock : this.#last + 1n;
    return this.#last.toString(16).toUpperCase().padStart(18, '0');
  }
}
