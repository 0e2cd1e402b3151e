import type { S3ObjectCreatedEventName } from './s3-event.ts';
import {
  ruleMatches,
  type S3NotificationConfig,
  type S3NotificationRule,
  toNotificationRules,
} from './s3-notification-rule.ts';

/**
 * The notification configuration of every bucket, as S3 keeps it: one configuration per bucket,
 * replaced as a whole. Set from `startLocalAws` options and from `PutBucketNotificationConfiguration`.
 */
export class S3NotificationRegistry {
  readonly #byBucket = new Map<string, readonly S3NotificationRule[]>();

  /** Checks configurations of any buckets and sets each bucket's; throws `InvalidConfigurationError`. */
  constructor(configs: readonly S3NotificationConfig[] = []) {
    const buckets = new Map<string, S3NotificationConfig[]>();
    for (const config of configs) {
      buckets.set(config.bucket, [...(buckets.get(config.bucket) ?? []), config]);
    }
    for (const [bucket, bucketConfigs] of buckets) this.set(bucket, toNotificationRules(bucketConfigs));
  }

  /** Replaces the bucket's configuration (an empty list removes it). */
  set(bucket: string, rules: readonly S3NotificationRule[]): void {
    if (rules.length === 0) this.#byBucket.delete(bucket);
    else this.#byBucket.set(bucket, rules);
  }

  /** The bucket's rules, in configuration order. */
  get(bucket: string): readonly S3NotificationRule[] {
    return this.#byBucket.get(bucket) ?? [];
  }

  /** Every rule of every bucket. */
  all(): S3NotificationRule[] {
    return [...this.#byBucket.values()].flat();
  }

  /** The rules an event of this type for this (decoded) key triggers. */
  matching(bucket: string, key: string, eventName: S3ObjectCreatedEventName): S3NotificationRule[] {
    return this.get(bucket).filter((rule) => ruleMatches(rule, bucket, key, eventName));
  }
}
