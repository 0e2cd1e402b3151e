import { InvalidConfigurationError } from './local-aws-error.ts';
import type { S3ObjectCreatedEventName } from './s3-event.ts';
import { encodeS3EventKey } from './s3-event-key.ts';

/** A bucket notification: S3 events of `bucket` that pass the filters go to the SQS queue `queue`. */
export interface S3NotificationConfig {
  /** Bucket whose events are sent. Must be listed in `buckets` or exist already. */
  bucket: string;
  /** Name of the queue (not its URL or ARN) that receives the events. */
  queue: string;
  /**
   * S3 event types, as in a bucket notification configuration.
   * Supported: `s3:ObjectCreated:*`, `s3:ObjectCreated:Put`, `s3:ObjectCreated:Post`,
   * `s3:ObjectCreated:Copy`, `s3:ObjectCreated:CompleteMultipartUpload`.
   * @default ['s3:ObjectCreated:*']
   */
  events?: string[] | undefined;
  /** Only keys that start with this (S3's `prefix` filter rule). */
  prefix?: string | undefined;
  /** Only keys that end with this (S3's `suffix` filter rule). */
  suffix?: string | undefined;
  /**
   * The configuration id, sent as `s3.configurationId` in every record.
   * @default `<bucket>-to-<queue>` (numbered when that repeats)
   */
  id?: string | undefined;
}

const CREATED_EVENTS: readonly S3ObjectCreatedEventName[] = [
  'ObjectCreated:Put',
  'ObjectCreated:Post',
  'ObjectCreated:Copy',
  'ObjectCreated:CompleteMultipartUpload',
];

/** A notification configuration checked and expanded: the form the dispatcher matches events with. */
export interface S3NotificationRule {
  readonly id: string;
  readonly bucket: string;
  readonly queue: string;
  readonly events: ReadonlySet<S3ObjectCreatedEventName>;
  /** The event types as configured (before `*` was expanded). */
  readonly configuredEvents: readonly string[];
  readonly prefix: string;
  readonly suffix: string;
}

function expandEvent(name: string): S3ObjectCreatedEventName[] {
  const bare = name.startsWith('s3:') ? name.slice(3) : name;
  if (bare === 'ObjectCreated:*') return [...CREATED_EVENTS];
  const known = CREATED_EVENTS.find((event) => event === bare);
  if (known) return [known];
  throw new InvalidConfigurationError(
    `unsupported S3 event type "${name}": local-aws sends s3:ObjectCreated:* and its Put, Post, Copy and CompleteMultipartUpload events`,
  );
}

/** Checks notification configurations and gives each its id; throws `InvalidConfigurationError`. */
export function toNotificationRules(configs: readonly S3NotificationConfig[]): S3NotificationRule[] {
  const rules: S3NotificationRule[] = [];
  const ids = new Set<string>();
  for (const config of configs) {
    if (!config.bucket) throw new InvalidConfigurationError('a notification needs a bucket');
    if (!config.queue) {
      throw new InvalidConfigurationError(`the notification for bucket "${config.bucket}" needs a queue`);
    }
    if (config.queue.endsWith('.fifo')) {
      throw new InvalidConfigurationError(
        `the notification for bucket "${config.bucket}" names FIFO queue "${config.queue}": S3 sends events to standard queues only`,
      );
    }
    const configuredEvents = config.events ?? ['s3:ObjectCreated:*'];
    const events = new Set(configuredEvents.flatMap(expandEvent));
    if (events.size === 0) {
      throw new InvalidConfigurationError(`the notification for bucket "${config.bucket}" has no events`);
    }
    let id = config.id ?? `${config.bucket}-to-${config.queue}`;
    if (config.id === undefined) {
      for (let n = 2; ids.has(id); n++) id = `${config.bucket}-to-${config.queue}-${n}`;
    } else if (ids.has(id)) {
      throw new InvalidConfigurationError(`two notifications share the id "${id}"`);
    }
    ids.add(id);
    const rule: S3NotificationRule = {
      id,
      bucket: config.bucket,
      queue: config.queue,
      events,
      configuredEvents,
      prefix: config.prefix ?? '',
      suffix: config.suffix ?? '',
    };
    const clash = rules.find((other) => overlaps(other, rule));
    if (clash) {
      throw new InvalidConfigurationError(
        `notifications "${clash.id}" and "${rule.id}" overlap on bucket "${rule.bucket}": S3 rejects configurations whose prefixes and suffixes overlap for the same event type`,
      );
    }
    rules.push(rule);
  }
  return rules;
}

function overlaps(a: S3NotificationRule, b: S3NotificationRule): boolean {
  if (a.bucket !== b.bucket) return false;
  if (![...a.events].some((event) => b.events.has(event))) return false;
  const prefixesOverlap = a.prefix.startsWith(b.prefix) || b.prefix.startsWith(a.prefix);
  const suffixesOverlap = a.suffix.endsWith(b.suffix) || b.suffix.endsWith(a.suffix);
  return prefixesOverlap && suffixesOverlap;
}

/**
 * True when a filter value matches the key. S3 compares filter values with the URL-encoded key (its
 * documentation asks for `+` for a space and `%XX` for other special characters); a value written as
 * the plain key matches too.
 */
function filterMatches(
  key: string,
  value: string,
  test: (subject: string, part: string) => boolean,
): boolean {
  return value === '' || test(key, value) || test(encodeS3EventKey(key), value);
}

/** True when an event of this type for this (decoded) key passes the rule's event list and filters. */
export function ruleMatches(
  rule: S3NotificationRule,
  bucket: string,
  key: string,
  eventName: S3ObjectCreatedEventName,
): boolean {
  return (
    rule.bucket === bucket &&
    rule.events.has(eventName) &&
    filterMatches(key, rule.prefix, (subject, part) => subject.startsWith(part)) &&
    filterMatches(key, rule.suffix, (subject, part) => subject.endsWith(part))
  );
}
