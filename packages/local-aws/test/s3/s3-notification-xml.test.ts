import { describe, expect, it } from 'vitest';
import { LocalAwsError } from '../../src/local-aws-error.ts';
import {
  parseNotificationConfigurationXml,
  S3ApiError,
  serializeNotificationConfigurationXml,
} from '../../src/s3-notification-xml.ts';

describe('notification configuration XML', () => {
  it('reads queue configurations, with entities and case-insensitive filter rule names', () => {
    // Prepare
    const xml = `<?xml version="1.0"?><NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
      <QueueConfiguration><Id>a&amp;b&#x21;</Id><Queue>arn:aws:sqs:us-east-1:000000000000:jobs</Queue>
        <Event>s3:ObjectCreated:Put</Event><Event>s3:ObjectCreated:Copy</Event>
        <Filter><S3Key><FilterRule><Name>Prefix</Name><Value>up&lt;loads/</Value></FilterRule>
        <FilterRule><Name>suffix</Name><Value>.mp4</Value></FilterRule></S3Key></Filter>
      </QueueConfiguration></NotificationConfiguration>`;

    // Act
    const entries = parseNotificationConfigurationXml(xml);

    // Assess
    expect(entries).toEqual([
      {
        id: 'a&b!',
        queueArn: 'arn:aws:sqs:us-east-1:000000000000:jobs',
        events: ['s3:ObjectCreated:Put', 's3:ObjectCreated:Copy'],
        prefix: 'up<loads/',
        suffix: '.mp4',
      },
    ]);
    expect(parseNotificationConfigurationXml(serializeNotificationConfigurationXml(entries))).toEqual(
      entries,
    );
  });

  it.each([
    ['not a notification configuration', '<CORSConfiguration/>', 'MalformedXML'],
    [
      'XML that is not well-formed',
      '<NotificationConfiguration><QueueConfiguration><Queue>q</Queue></NotificationConfiguration>',
      'MalformedXML',
    ],
    [
      'a filter rule that is not prefix or suffix',
      '<NotificationConfiguration><QueueConfiguration><Queue>arn:aws:sqs:us-east-1:1:q</Queue><Event>s3:ObjectCreated:*</Event><Filter><S3Key><FilterRule><Name>middle</Name><Value>x</Value></FilterRule></S3Key></Filter></QueueConfiguration></NotificationConfiguration>',
      'InvalidArgument',
    ],
    [
      'a queue configuration without events',
      '<NotificationConfiguration><QueueConfiguration><Queue>q</Queue></QueueConfiguration></NotificationConfiguration>',
      'MalformedXML',
    ],
    [
      'an SNS destination',
      '<NotificationConfiguration><TopicConfiguration><Topic>t</Topic></TopicConfiguration></NotificationConfiguration>',
      'NotImplemented',
    ],
  ])('refuses %s', (_, xml, code) => {
    expect(() => parseNotificationConfigurationXml(xml)).toThrow(S3ApiError);
    expect(() => parseNotificationConfigurationXml(xml)).toThrow(LocalAwsError);
    expect(() => parseNotificationConfigurationXml(xml)).toThrow(
      expect.objectContaining({ code: 'S3RequestFailed', awsCode: code }),
    );
  });
});
