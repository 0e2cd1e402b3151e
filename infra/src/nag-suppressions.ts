import { type CfnElement, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { MediaServerStack } from './media-server-stack.ts';

function acknowledge(scope: IConstruct, rule: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions::AwsSolutions-${rule}`, reason });
}

/**
 * Every cdk-nag AwsSolutions finding this design accepts, each on the construct it concerns and with the
 * reason. Anything not listed here fails `cdk synth` (and the nag test).
 */
export function applyNagSuppressions(stack: MediaServerStack): void {
  const { services, storage } = stack;
  const bucketId = stack.getLogicalId(storage.bucket.node.defaultChild as CfnElement);
  const prefixReasons: Record<string, string> = {
    uploads:
      'scoped to the uploads/ prefix: sources are keyed uploads/<jobId>/<file>, so the job id cannot be in the policy',
    jobs: 'scoped to the jobs/ prefix: job documents are keyed jobs/<jobId>/{spec,status}.json',
    outputs: 'scoped to the outputs/ prefix: outputs are keyed outputs/<jobId>/<preset>/<file>',
    idempotency:
      'scoped to the idempotency/ prefix: records are keyed by a hash of the API key and Idempotency-Key',
  };
  const roles = [
    { role: services.api.taskDefinition.taskRole, prefixes: ['uploads', 'jobs', 'outputs', 'idempotency'] },
    { role: services.worker.taskDefinition.taskRole, prefixes: ['uploads', 'jobs', 'outputs'] },
  ];
  for (const { role, prefixes } of roles) {
    const policy = role.node.tryFindChild('DefaultPolicy') as IConstruct;
    for (const prefix of prefixes) {
      acknowledge(
        policy,
        `IAM5[Resource::<${bucketId}.Arn>/${prefix}/*]`,
        `Object actions ${prefixReasons[prefix]}; the bucket holds nothing else of other tenants.`,
      );
    }
  }
  for (const task of [services.api.taskDefinition, services.worker.taskDefinition]) {
    const policy = task.executionRole?.node.tryFindChild('DefaultPolicy') as IConstruct;
    acknowledge(
      policy,
      'IAM5[Resource::*]',
      'ecr:GetAuthorizationToken, which the execution role needs to pull the image, has no resource-level permissions (AWS requires "*").',
    );
    acknowledge(
      task,
      'ECS2',
      'Plain environment holds configuration only (bucket, queue URL, region, limits); every secret (API_KEYS, WEBHOOK_SECRET, PLAYBACK_SECRET) comes from Secrets Manager through `secrets`.',
    );
  }
  for (const secret of [services.webhookSecret, services.playbackSecret]) {
    acknowledge(
      secret,
      'SMG4',
      'An HMAC key shared with clients (webhook receivers) or signed links in flight: rotating it needs a coordinated change on the clients, so it is rotated by the operator (put-secret-value, then restart the services), not by a Lambda.',
    );
  }
  acknowledge(
    services.api.loadBalancer,
    'EC23',
    'The public load balancer of the HTTP API: clients anywhere reach it on its listener port only; the tasks accept traffic from the load balancer only.',
  );

  if (stack.playback !== undefined) {
    const distribution = stack.playback.distribution;
    acknowledge(
      distribution,
      'CFR4',
      'The distribution uses its *.cloudfront.net name and certificate, with which CloudFront keeps TLSv1 available; put a custom domain and ACM certificate on it for TLSv1.2_2021 (minimumProtocolVersion is already set for that case).',
    );
    acknowledge(
      distribution,
      'CFR1',
      'Playback is for viewers anywhere; restrict countries per deployment if rights require it.',
    );
    acknowledge(
      distribution,
      'CFR2',
      'It serves static outputs only (GET/HEAD under outputs/, everything else answers 404 at the edge): no application behind it for WAF rules to protect; attach a web ACL where per-IP rate limits are wanted.',
    );
  }

  // CDK adds the notifications handler once per stack, at the stack's root.
  const notificationsHandler = stack.node.children
    .find((child) => child.node.id.startsWith('BucketNotificationsHandler'))
    ?.node.tryFindChild('Role');
  if (notificationsHandler !== undefined) {
    acknowledge(
      notificationsHandler,
      'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      "CDK's own custom resource that configures the bucket notification (CloudFormation cannot, without a circular dependency between bucket and queue policy); the managed policy only lets it write its logs.",
    );
  }
}
