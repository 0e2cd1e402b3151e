import type { CfnElement } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { oneResource, type Synthesized, synthesize } from './synth.ts';

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

/** Action → sorted resources it is allowed on, with the bucket and queue tokens written as names. */
function grants(synth: Synthesized, policyPrefix: string): Record<string, string[]> {
  const { stack } = synth;
  const bucketId = stack.getLogicalId(stack.storage.bucket.node.defaultChild as CfnElement);
  const queueId = stack.getLogicalId(stack.storage.queue.node.defaultChild as CfnElement);
  const policy = oneResource(synth.template, 'AWS::IAM::Policy', policyPrefix);
  const statements = (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
  const name = (resource: unknown): string =>
    JSON.stringify(resource)
      .replaceAll(JSON.stringify({ 'Fn::GetAtt': [bucketId, 'Arn'] }), 'bucket')
      .replaceAll(JSON.stringify({ 'Fn::GetAtt': [queueId, 'Arn'] }), 'queue')
      .replace(/^\{"Fn::Join":\["",\["?(bucket|queue)"?,"([^"]*)"\]\]\}$/, '$1$2')
      .replaceAll('"', '');
  const result: Record<string, Set<string>> = {};
  for (const statement of statements) {
    expect(statement.Effect).toBe('Allow');
    const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
    const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
    for (const action of actions) {
      result[action] ??= new Set();
      for (const resource of resources) result[action].add(name(resource));
    }
  }
  return Object.fromEntries(Object.entries(result).map(([action, set]) => [action, [...set].sort()]));
}

describe('least privilege', () => {
  let synth: Synthesized;

  beforeAll(() => {
    synth = synthesize();
  });

  it('lets the worker read uploads/ and jobs/, write outputs/ and jobs/, and consume the jobs queue only', () => {
    expect(grants(synth, 'ServicesWorkerTaskTaskRoleDefaultPolicy')).toEqual({
      's3:GetObject': ['bucket/jobs/*', 'bucket/uploads/*'],
      's3:PutObject': ['bucket/jobs/*', 'bucket/outputs/*'],
      's3:AbortMultipartUpload': ['bucket/jobs/*', 'bucket/outputs/*'],
      's3:ListBucket': ['bucket'],
      'sqs:ReceiveMessage': ['queue'],
      'sqs:DeleteMessage': ['queue'],
      'sqs:ChangeMessageVisibility': ['queue'],
      'sqs:GetQueueAttributes': ['queue'],
      // The reconciler re-enqueues stale jobs.
      'sqs:SendMessage': ['queue'],
    });
  });

  it('lets the API presign uploads, read jobs/ and outputs/, write specs and idempotency records, and send to the queue', () => {
    expect(grants(synth, 'ServicesApiTaskDefTaskRoleDefaultPolicy')).toEqual({
      's3:PutObject': ['bucket/idempotency/*', 'bucket/jobs/*', 'bucket/uploads/*'],
      's3:AbortMultipartUpload': ['bucket/uploads/*'],
      's3:ListMultipartUploadParts': ['bucket/uploads/*'],
      's3:GetObject': ['bucket/idempotency/*', 'bucket/jobs/*', 'bucket/outputs/*', 'bucket/uploads/*'],
      's3:DeleteObject': ['bucket/jobs/*', 'bucket/outputs/*', 'bucket/uploads/*'],
      's3:ListBucket': ['bucket'],
      'sqs:SendMessage': ['queue'],
      'sqs:GetQueueAttributes': ['queue'],
    });
  });

  it('gives neither role the dead-letter queue, wildcards of actions, or another bucket', () => {
    for (const prefix of [
      'ServicesWorkerTaskTaskRoleDefaultPolicy',
      'ServicesApiTaskDefTaskRoleDefaultPolicy',
    ]) {
      const granted = grants(synth, prefix);
      for (const [action, resources] of Object.entries(granted)) {
        expect(action).not.toContain('*');
        for (const resource of resources) expect(resource).toMatch(/^(bucket|queue)(\/[a-z]+\/\*)?$/);
      }
    }
  });
});
