import { beforeAll, describe, expect, it } from 'vitest';
import { oneResource, resourcesOf, type Synthesized, synthesize } from './synth.ts';

type ContainerDefinition = {
  Name: string;
  Environment?: Array<{ Name: string; Value: unknown }>;
  Secrets?: Array<{ Name: string; ValueFrom: unknown }>;
  StopTimeout?: number;
  HealthCheck?: { Command: string[] };
};

function container(synth: Synthesized, prefix: string): ContainerDefinition {
  const task = oneResource(synth.template, 'AWS::ECS::TaskDefinition', prefix);
  const definitions = task.Properties.ContainerDefinitions as ContainerDefinition[];
  expect(definitions).toHaveLength(1);
  return definitions[0] as ContainerDefinition;
}

function env(definition: ContainerDefinition): Record<string, unknown> {
  return Object.fromEntries((definition.Environment ?? []).map((entry) => [entry.Name, entry.Value]));
}

describe('ECS on Fargate', () => {
  let synth: Synthesized;

  beforeAll(() => {
    synth = synthesize({ workerMinTasks: 0, workerMaxTasks: 12, backlogPerTaskTarget: 3 });
  });

  it('puts the API behind a public load balancer whose health check is /readyz', () => {
    synth.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internet-facing',
    });
    synth.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      HealthCheckPath: '/readyz',
      Matcher: { HttpCode: '200' },
      TargetType: 'ip',
    });
    const api = oneResource(synth.template, 'AWS::ECS::Service', 'ServicesApiService');
    expect(api.Properties.LoadBalancers).toEqual([
      expect.objectContaining({ ContainerName: 'api', ContainerPort: 3000 }),
    ]);
    expect(api.Properties.LaunchType).toBe('FARGATE');
    expect(api.Properties.DesiredCount).toBe(2);
    expect(env(container(synth, 'ServicesApiTaskDef'))).toMatchObject({ HOST: '0.0.0.0', PORT: '3000' });
  });

  it('runs the worker with a stop timeout longer than WORKER_SHUTDOWN_GRACE_MS', () => {
    const worker = container(synth, 'ServicesWorkerTask');
    const grace = Number(env(worker).WORKER_SHUTDOWN_GRACE_MS);
    expect(grace).toBeGreaterThan(0);
    expect((worker.StopTimeout ?? 30) * 1000).toBeGreaterThan(grace);
    expect(worker.StopTimeout).toBeLessThanOrEqual(120);
    expect(worker.HealthCheck?.Command.join(' ')).toContain('/healthz');
    const service = oneResource(synth.template, 'AWS::ECS::Service', 'ServicesWorkerService');
    expect(service.Properties.LaunchType).toBe('FARGATE');
    expect(service.Properties.LoadBalancers).toBeUndefined();
  });

  it("gives the worker the jobs queue's visibility timeout (its heartbeat holds longer jobs)", () => {
    const queueId = synth.stack.getLogicalId(synth.stack.storage.queue.node.defaultChild as never);
    const queue = synth.template.toJSON().Resources[queueId].Properties;
    const worker = container(synth, 'ServicesWorkerTask');
    expect(Number(env(worker).WORKER_VISIBILITY_TIMEOUT_SECONDS)).toBe(queue.VisibilityTimeout);
  });

  it('runs both apps in AWS mode: bucket, queue and region set, no local endpoints, secrets from Secrets Manager', () => {
    const secretIds = Object.keys(resourcesOf(synth.template, 'AWS::SecretsManager::Secret'));
    for (const [prefix, secrets] of [
      ['ServicesApiTaskDef', ['API_KEYS', 'PLAYBACK_SECRET']],
      ['ServicesWorkerTask', ['WEBHOOK_SECRET']],
    ] as const) {
      const definition = container(synth, prefix);
      const variables = env(definition);
      expect(variables.MEDIA_BUCKET).toBeDefined();
      expect(variables.JOBS_QUEUE_URL).toBeDefined();
      expect(variables.AWS_REGION).toBeDefined();
      for (const name of Object.keys(variables))
        expect(name).not.toMatch(/ENDPOINT|ACCESS_KEY|SECRET|API_KEYS/);
      expect((definition.Secrets ?? []).map((secret) => secret.Name).sort()).toEqual([...secrets].sort());
      for (const secret of definition.Secrets ?? []) {
        // A secret of this stack (Ref) or the operator's API_KEYS secret, by ARN: never a literal value.
        const valueFrom = JSON.stringify(secret.ValueFrom);
        expect(valueFrom.includes('secretsmanager') || secretIds.some((id) => valueFrom.includes(id))).toBe(
          true,
        );
      }
    }
  });

  it('sets FFMPEG_SANDBOX=auto on Fargate, which allows no user namespaces for bubblewrap', () => {
    expect(env(container(synth, 'ServicesWorkerTask')).FFMPEG_SANDBOX).toBe('auto');
  });

  it('scales the worker on visible messages per running task with target tracking, down to zero', () => {
    const target = oneResource(
      synth.template,
      'AWS::ApplicationAutoScaling::ScalableTarget',
      'WorkerScalingTarget',
    );
    expect(target.Properties).toMatchObject({
      MinCapacity: 0,
      MaxCapacity: 12,
      ScalableDimension: 'ecs:service:DesiredCount',
    });
    const policy = oneResource(
      synth.template,
      'AWS::ApplicationAutoScaling::ScalingPolicy',
      'WorkerScalingBacklogPerTask',
    );
    const config = policy.Properties.TargetTrackingScalingPolicyConfiguration as {
      TargetValue: number;
      CustomizedMetricSpecification: {
        Metrics: Array<{
          Id: string;
          Expression?: string;
          ReturnData: boolean;
          MetricStat?: { Metric: { MetricName: string } };
        }>;
      };
    };
    expect(config.TargetValue).toBe(3);
    const metrics = config.CustomizedMetricSpecification.Metrics;
    const byId = Object.fromEntries(metrics.map((metric) => [metric.Id, metric]));
    expect(byId.visible?.MetricStat?.Metric.MetricName).toBe('ApproximateNumberOfMessagesVisible');
    expect(byId.running?.MetricStat?.Metric.MetricName).toBe('RunningTaskCount');
    const returned = metrics.filter((metric) => metric.ReturnData);
    expect(returned).toHaveLength(1);
    expect(returned[0]?.Expression).toMatch(/^visible \/ /);
    // Container Insights is what publishes RunningTaskCount.
    synth.template.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
    });
  });

  it('wakes a worker from zero when messages wait and no task runs', () => {
    const wake = oneResource(
      synth.template,
      'AWS::ApplicationAutoScaling::ScalingPolicy',
      'WorkerScalingWakeFromZero',
    );
    expect(wake.Properties.StepScalingPolicyConfiguration).toMatchObject({
      AdjustmentType: 'ChangeInCapacity',
      StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }],
    });
    const alarm = oneResource(synth.template, 'AWS::CloudWatch::Alarm', 'WorkerScalingWakeAlarm');
    expect(JSON.stringify(alarm.Properties.AlarmActions)).toContain(
      synth.stack.getLogicalId(
        synth.stack.scaling.node.findChild('WakeFromZero').node.findChild('Resource') as never,
      ),
    );
  });

  it('keeps a worker floor when one is configured', () => {
    const floor = synthesize({ workerMinTasks: 2, workerMaxTasks: 4 });
    const target = oneResource(
      floor.template,
      'AWS::ApplicationAutoScaling::ScalableTarget',
      'WorkerScalingTarget',
    );
    expect(target.Properties).toMatchObject({ MinCapacity: 2, MaxCapacity: 4 });
    // No DesiredCount in the template: a deploy never resets what the scaling policies set.
    const worker = oneResource(floor.template, 'AWS::ECS::Service', 'ServicesWorkerService');
    expect(worker.Properties.DesiredCount).toBeUndefined();
  });
});
