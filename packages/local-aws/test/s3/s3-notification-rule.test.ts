import { describe, expect, it } from 'vitest';
import { InvalidConfigurationError } from '../../src/local-aws-error.ts';
import { ruleMatches, toNotificationRules } from '../../src/s3-notification-rule.ts';

describe('toNotificationRules', () => {
  it('expands s3:ObjectCreated:* and names the rule after bucket and queue', () => {
    // Act
    const [rule] = toNotificationRules([{ bucket: 'media', queue: 'jobs' }]);

    // Assess
    expect(rule?.id).toBe('media-to-jobs');
    expect([...(rule?.events ?? [])].sort()).toEqual([
      'ObjectCreated:CompleteMultipartUpload',
      'ObjectCreated:Copy',
      'ObjectCreated:Post',
      'ObjectCreated:Put',
    ]);
  });

  it('rejects event types it does not send', () => {
    expect(() => toNotificationRules([{ bucket: 'b', queue: 'q', events: ['s3:ObjectRemoved:*'] }])).toThrow(
      InvalidConfigurationError,
    );
  });

  it('rejects overlapping filters for the same event type, as S3 does', () => {
    expect(() =>
      toNotificationRules([
        { bucket: 'b', queue: 'q1', prefix: 'uploads/' },
        { bucket: 'b', queue: 'q2', prefix: 'uploads/videos/' },
      ]),
    ).toThrow(/overlap/);
  });

  it('accepts filters that cannot match the same key', () => {
    // Act
    const rules = toNotificationRules([
      { bucket: 'b', queue: 'q', prefix: 'uploads/' },
      { bucket: 'b', queue: 'q', prefix: 'imports/' },
      { bucket: 'b', queue: 'q', prefix: 'raw/', suffix: '.mp4' },
      { bucket: 'b', queue: 'q', prefix: 'raw/', suffix: '.jpg' },
    ]);

    // Assess
    expect(rules.map((rule) => rule.id)).toEqual(['b-to-q', 'b-to-q-2', 'b-to-q-3', 'b-to-q-4']);
  });
});

describe('ruleMatches', () => {
  const [rule] = toNotificationRules([
    {
      bucket: 'media',
      queue: 'jobs',
      prefix: 'uploads/my files/',
      suffix: '.mp4',
      events: ['s3:ObjectCreated:Put'],
    },
  ]);
  if (!rule) throw new Error('no rule');

  it('matches on the decoded key', () => {
    expect(ruleMatches(rule, 'media', 'uploads/my files/a.mp4', 'ObjectCreated:Put')).toBe(true);
  });

  it('does not match another prefix, suffix, bucket or event type', () => {
    expect(ruleMatches(rule, 'media', 'outputs/my files/a.mp4', 'ObjectCreated:Put')).toBe(false);
    expect(ruleMatches(rule, 'media', 'uploads/my files/a.mov', 'ObjectCreated:Put')).toBe(false);
    expect(ruleMatches(rule, 'other', 'uploads/my files/a.mp4', 'ObjectCreated:Put')).toBe(false);
    expect(ruleMatches(rule, 'media', 'uploads/my files/a.mp4', 'ObjectCreated:Copy')).toBe(false);
  });

  it('also takes a filter written URL-encoded, as the S3 documentation asks', () => {
    // Prepare
    const [encoded] = toNotificationRules([{ bucket: 'media', queue: 'jobs', prefix: 'uploads/my+files/' }]);
    if (!encoded) throw new Error('no rule');

    // Act / Assess
    expect(ruleMatches(encoded, 'media', 'uploads/my files/a.mp4', 'ObjectCreated:Put')).toBe(true);
    expect(ruleMatches(encoded, 'media', 'uploads/other/a.mp4', 'ObjectCreated:Put')).toBe(false);
  });
});
