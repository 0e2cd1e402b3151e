import type { CfnElement } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { oneResource, resourcesOf, type Synthesized, synthesize } from './synth.ts';

describe('alarms', () => {
  let synth: Synthesized;
  let topicId: string;

  beforeAll(() => {
    synth = synthesize({ oldestMessageAlarmSeconds: 600 });
    topicId = synth.stack.getLogicalId(synth.stack.alarms.topic.node.defaultChild as CfnElement);
  });

  it('alarms on any message in the dead-letter queue', () => {
    const dlqId = synth.stack.getLogicalId(
      synth.stack.storage.deadLetterQueue.node.defaultChild as CfnElement,
    );
    const alarm = oneResource(synth.template, 'AWS::CloudWatch::Alarm', 'AlarmsDeadLetters').Properties;
    expect(alarm).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: topicId }],
    });
  });

  it('alarms on the age of the oldest message in the jobs queue', () => {
    const queueId = synth.stack.getLogicalId(synth.stack.storage.queue.node.defaultChild as CfnElement);
    const alarm = oneResource(synth.template, 'AWS::CloudWatch::Alarm', 'AlarmsOldestMessage').Properties;
    expect(alarm).toMatchObject({
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
      Threshold: 600,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [{ Ref: topicId }],
    });
  });

  it('counts worker failures from the worker log lines and alarms on them', () => {
    const filter = oneResource(
      synth.template,
      'AWS::Logs::MetricFilter',
      'AlarmsJobFailuresFilter',
    ).Properties;
    expect(filter.FilterPattern).toContain('$.msg = "job failed"');
    expect(filter.FilterPattern).toContain('$.msg = "job hit a transient error; handing the message back"');
    const logGroupId = synth.stack.getLogicalId(
      synth.stack.services.workerLogGroup.node.defaultChild as CfnElement,
    );
    expect(filter.LogGroupName).toEqual({ Ref: logGroupId });
    const alarm = oneResource(synth.template, 'AWS::CloudWatch::Alarm', 'AlarmsWorkerFailures').Properties;
    expect(alarm).toMatchObject({
      Namespace: 'MediaServer',
      MetricName: 'WorkerJobFailures',
      Statistic: 'Sum',
    });
  });
});

describe('playback CDN', () => {
  it('is absent by default', () => {
    const { template } = synthesize();
    expect(Object.keys(resourcesOf(template, 'AWS::CloudFront::Distribution'))).toHaveLength(0);
  });

  it('serves outputs/ only, from the private bucket through origin access control, and tells the API its address', () => {
    const { template, stack } = synthesize({ playbackCdn: true });
    const distribution = oneResource(template, 'AWS::CloudFront::Distribution', 'PlaybackDistribution')
      .Properties.DistributionConfig as {
      CacheBehaviors: Array<{ PathPattern: string; ViewerProtocolPolicy: string }>;
      DefaultCacheBehavior: { FunctionAssociations: unknown[] };
      Origins: Array<{ OriginAccessControlId?: unknown; S3OriginConfig?: unknown }>;
    };
    expect(distribution.CacheBehaviors.map((behavior) => behavior.PathPattern)).toEqual(['outputs/*']);
    expect(distribution.CacheBehaviors[0]?.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(distribution.DefaultCacheBehavior.FunctionAssociations).toHaveLength(1);
    expect(distribution.Origins[0]?.OriginAccessControlId).toBeDefined();
    const api = oneResource(template, 'AWS::ECS::TaskDefinition', 'ServicesApiTaskDef').Properties
      .ContainerDefinitions as Array<{ Environment: Array<{ Name: string; Value: unknown }> }>;
    const playbackBaseUrl = api[0]?.Environment.find((entry) => entry.Name === 'PLAYBACK_BASE_URL');
    const distributionId = stack.getLogicalId(stack.playback?.distribution.node.defaultChild as CfnElement);
    expect(JSON.stringify(playbackBaseUrl?.Value)).toContain(distributionId);
    // The bucket policy lets CloudFront read outputs only? It grants the distribution s3:GetObject.
    const policies = Object.values(resourcesOf(template, 'AWS::S3::BucketPolicy')).map((policy) =>
      JSON.stringify(policy.Properties.PolicyDocument),
    );
    expect(policies.some((policy) => policy.includes('cloudfront.amazonaws.com'))).toBe(true);
  });
});
