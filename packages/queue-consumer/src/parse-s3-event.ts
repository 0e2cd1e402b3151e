import { S3EventParseError } from './errors.ts';

/** One S3 event record, with the object key already decoded. */
export interface S3EventRecord {
  /** For example `ObjectCreated:Put`, `ObjectCreated:CompleteMultipartUpload`, `ObjectRemoved:Delete`. */
  eventName: string;
  /** ISO timestamp of the event. */
  eventTime: string;
  /** Region of the bucket; `''` when the record has none. */
  awsRegion: string;
  /** The bucket: its name, and its ARN when the record carries one. */
  bucket: { name: string; arn?: string | undefined };
  /** The object the event is about. */
  object: {
    /** Decoded key: `my+clip%27s.mp4` in the notification becomes `my clip's.mp4`. */
    key: string;
    /** The key as it appears in the notification (URL-form-encoded). */
    rawKey: string;
    /** Size in bytes (absent for deletions). */
    size?: number | undefined;
    /** Entity tag of the object, without quotes. */
    eTag?: string | undefined;
    /** Version, in a versioned bucket. */
    versionId?: string | undefined;
    /** Orders events of one key: of two events, the later has the greater sequencer. */
    sequencer?: string | undefined;
  };
  /** The record as received, for fields this type does not lift out. */
  raw: Record<string, unknown>;
}

/**
 * Result of {@link parseS3Event}. Both kinds carry `records`, so `for (const r of parseS3Event(m).records)`
 * is always safe; a `'test'` result (the `s3:TestEvent` S3 sends when a notification is configured) has none.
 */
export type S3EventParseResult =
  | { kind: 'records'; records: S3EventRecord[] }
  | { kind: 'test'; records: []; bucket: string | undefined; time: string | undefined };

/**
 * Parses an S3 event notification from an SQS message or its body: several records, URL-form-encoded keys
 * (`+` is a space, `%xx` is UTF-8), `s3:TestEvent` (returned as `kind: 'test'` with no records) and
 * SNS-wrapped envelopes (`{ "Type": "Notification", "Message": "…" }`).
 *
 * @throws {@link S3EventParseError} when the body is not JSON, not an S3 notification, or a record is malformed.
 * @param input An SQS message (its `Body` is read) or a body string.
 * @example
 * ```ts
 * import { parseS3Event } from '@media-server/queue-consumer';
 *
 * const body = JSON.stringify({
 *   Records: [{ eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'media' }, object: { key: 'uploads/my+clip.mp4' } } }],
 * });
 * for (const record of parseS3Event(body).records) {
 *   console.log(record.bucket.name, record.object.key); // media uploads/my clip.mp4
 * }
 * ```
 */
export function parseS3Event(input: string | { Body?: string | undefined }): S3EventParseResult {
  const body = typeof input === 'string' ? input : input.Body;
  if (typeof body !== 'string') throw new S3EventParseError('NOT_JSON', 'message has no body');
  let parsed = parseJson(body);
  if (isObject(parsed) && parsed.Type === 'Notification' && 'Message' in parsed) {
    if (typeof parsed.Message !== 'string') {
      throw new S3EventParseError('BAD_ENVELOPE', 'SNS envelope Message is not a string');
    }
    parsed = parseJson(parsed.Message);
  }
  if (!isObject(parsed)) throw new S3EventParseError('NOT_AN_OBJECT', 'S3 event body is not a JSON object');
  if (parsed.Event === 's3:TestEvent') {
    return {
      kind: 'test',
      records: [],
      bucket: typeof parsed.Bucket === 'string' ? parsed.Bucket : undefined,
      time: typeof parsed.Time === 'string' ? parsed.Time : undefined,
    };
  }
  if (!Array.isArray(parsed.Records)) {
    throw new S3EventParseError('NO_RECORDS', 'S3 event body has no Records array');
  }
  return { kind: 'records', records: parsed.Records.map((record, index) => parseRecord(record, index)) };
}

/** Decodes an S3 notification key: `+` → space, then percent-decoding (UTF-8). Internal. */
export function decodeS3Key(rawKey: string): string {
  try {
    return decodeURIComponent(rawKey.replaceAll('+', ' '));
  } catch (error) {
    throw new S3EventParseError('BAD_RECORD', `object key is not valid URL encoding: ${rawKey}`, {
      cause: error,
    });
  }
}

function parseRecord(record: unknown, index: number): S3EventRecord {
  const bad = (what: string) => new S3EventParseError('BAD_RECORD', `Records[${index}]: ${what}`);
  if (!isObject(record)) throw bad('not an object');
  const s3 = record.s3;
  if (!isObject(s3)) throw bad('no s3 field');
  const bucket = s3.bucket;
  const object = s3.object;
  if (!isObject(bucket) || typeof bucket.name !== 'string') throw bad('no s3.bucket.name');
  if (!isObject(object) || typeof object.key !== 'string') throw bad('no s3.object.key');
  if (typeof record.eventName !== 'string') throw bad('no eventName');
  return {
    eventName: record.eventName,
    eventTime: typeof record.eventTime === 'string' ? record.eventTime : '',
    awsRegion: typeof record.awsRegion === 'string' ? record.awsRegion : '',
    bucket: { name: bucket.name, arn: optionalString(bucket.arn) },
    object: {
      key: decodeS3Key(object.key),
      rawKey: object.key,
      size: typeof object.size === 'number' ? object.size : undefined,
      eTag: optionalString(object.eTag),
      versionId: optionalString(object.versionId),
      sequencer: optionalString(object.sequencer),
    },
    raw: record,
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new S3EventParseError('NOT_JSON', 'S3 event body is not JSON', { cause: error });
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
