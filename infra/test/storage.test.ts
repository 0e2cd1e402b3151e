import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { oneResource, resourcesOf, type Synthesized, synthesize } from './synth.ts';

describe('bucket and queues', () => {
  let synth: Synthesized;
  let bucketId: string;
  let queueId: string;
  let dlqId: string;

  beforeAll(() => {
    synth = synthesize({ corsOrigins: ['https://app.example.com'] });
    bucketId = synth.stack.getLogicalId(synth.stack.storage.bucket.node.defaultChild as never);
    queueId = synth.stack.getLogicalId(synth.stack.storage.queue.node.defaultChild as never);
    dlqId = synth.stack.getLogicalId(synth.stack.storage.deadLetterQueue.node.defaultChild as never);
  });

  it('keeps the media bucket private and encrypted, SSL only, with server access logs', () => {
    const bucket = synth.template.toJSON().Resources[bucketId].Properties;
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(
      bucket.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault,
    ).toEqual({
      SSEAlgorithm: 'AES256',
    });
    expect(bucket.LoggingConfiguration.DestinationBucketName).toBeDefined();
    synth.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('allows browser PUT uploads from the configured origins only, exposing ETag for multipart', () => {
    const bucket = synth.template.toJSON().Resources[bucketId].Properties;
    expect(bucket.CorsConfiguration.CorsRules).toEqual([
      expect.objectContaining({
        AllowedOrigins: ['https://app.example.com'],
        AllowedMethods: expect.arrayContaining(['PUT']),
        ExposedHeaders: ['ETag'],
      }),
    ]);
    const withoutCors = synthesize({});
    const plain = Object.values(resourcesOf(withoutCors.template, 'AWS::S3::Bucket')).map(
      (resource) => resource.Properties.CorsConfiguration,
    );
    expect(plain.every((cors) => cors === undefined)).toBe(true);
  });

  it('aborts incomplete multipart uploads and expires idempotency records', () => {
    const rules = synth.template.toJSON().Resources[bucketId].Properties.LifecycleConfiguration.Rules;
    expect(rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
          Status: 'Enabled',
        }),
        expect.objectContaining({ Prefix: 'idempotency/', ExpirationInDays: 2, Status: 'Enabled' }),
      ]),
    );
    // No rule touches uploads, jobs or outputs.
    expect(
      rules.filter((rule: { ExpirationInDays?: number }) => rule.ExpirationInDays !== undefined),
    ).toHaveLength(1);
  });

  it('sends ObjectCreated events for uploads/ only to the jobs queue', () => {
    const notifications = oneResource(
      synth.template,
      'Custom::S3BucketNotifications',
      'StorageMediaNotifications',
    );
    expect(notifications.Properties.BucketName).toEqual({ Ref: bucketId });
    expect(notifications.Properties.NotificationConfiguration).toEqual({
      QueueConfigurations: [
        {
          Events: ['s3:ObjectCreated:*'],
          Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'uploads/' }] } },
          QueueArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
        },
      ],
    });
  });

  it('gives the jobs queue a DLQ after 5 receives and a short visibility timeout held by the heartbeat', () => {
    const queue = synth.template.toJSON().Resources[queueId].Properties;
    expect(queue.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
      maxReceiveCount: 5,
    });
    // The consumer extends visibility when half of it is left (heartbeatAt 0.5): a 30 s timeout means a
    // heartbeat every 15 s while a job runs, and a crashed worker's job back in the queue within 30 s.
    expect(queue.VisibilityTimeout).toBe(30);
    expect(queue.ReceiveMessageWaitTimeSeconds).toBe(20);
    expect(queue.SqsManagedSseEnabled).toBe(true);
    const dlq = synth.template.toJSON().Resources[dlqId].Properties;
    expect(dlq.MessageRetentionPeriod).toBe(14 * 24 * 3600);
  });

  it('lets only this bucket send to the jobs queue through its policy', () => {
    const policy = Object.values(resourcesOf(synth.template, 'AWS::SQS::QueuePolicy')).find((resource) =>
      JSON.stringify(resource.Properties.Queues).includes(queueId),
    );
    expect(policy).toBeDefined();
    const statements =
      (policy?.Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> } | undefined)
        ?.Statement ?? [];
    const allows = statements.filter((statement) => statement.Effect === 'Allow');
    expect(allows).toEqual([
      expect.objectContaining({
        Principal: { Service: 's3.amazonaws.com' },
        Action: expect.arrayContaining(['sqs:SendMessage']),
        Condition: { ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [bucketId, 'Arn'] } } },
      }),
    ]);
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Principal: { Service: 's3.amazonaws.com' },
        Condition: { ArnNotEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [bucketId, 'Arn'] } } },
      }),
    );
  });
});
