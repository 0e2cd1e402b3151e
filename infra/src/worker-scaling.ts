import { Duration } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ResolvedSettings } from './settings.ts';

export interface WorkerScalingProps {
  settings: ResolvedSettings;
  cluster: ecs.ICluster;
  service: ecs.FargateService;
  queue: sqs.IQueue;
}

/** Expression ids of the metric-math queries. */
const VISIBLE = 'visible';
const RUNNING = 'running';

/**
 * Scales the worker on the backlog per task: visible messages ÷ running tasks, kept near
 * `backlogPerTaskTarget` by target tracking, between `workerMinTasks` (zero allowed) and `workerMaxTasks`.
 *
 * Target tracking multiplies the current capacity, so it cannot leave zero tasks; a step policy wakes the
 * service (0 → 1) when messages are visible and no task runs, and target tracking takes over from there.
 */
export class WorkerScaling extends Construct {
  readonly target: appscaling.ScalableTarget;
  readonly backlogPolicy: appscaling.CfnScalingPolicy;
  readonly wakeAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: WorkerScalingProps) {
    super(scope, id);
    const { settings, cluster, service, queue } = props;
    const serviceDimensions = { ClusterName: cluster.clusterName, ServiceName: service.serviceName };

    this.target = new appscaling.ScalableTarget(this, 'Target', {
      serviceNamespace: appscaling.ServiceNamespace.ECS,
      scalableDimension: 'ecs:service:DesiredCount',
      resourceId: `service/${cluster.clusterName}/${service.serviceName}`,
      minCapacity: settings.workerMinTasks,
      maxCapacity: settings.workerMaxTasks,
    });

    // The L2 target tracking policy takes only a single metric; CloudFormation takes metric math.
    this.backlogPolicy = new appscaling.CfnScalingPolicy(this, 'BacklogPerTask', {
      policyName: 'worker-backlog-per-task',
      policyType: 'TargetTrackingScaling',
      scalingTargetId: this.target.scalableTargetId,
      targetTrackingScalingPolicyConfiguration: {
        targetValue: settings.backlogPerTaskTarget,
        scaleOutCooldown: 60,
        // A job runs minutes; scale in slowly so a short lull does not stop tasks that would be needed again.
        scaleInCooldown: 300,
        customizedMetricSpecification: {
          metrics: [
            {
              id: VISIBLE,
              returnData: false,
              metricStat: {
                metric: {
                  namespace: 'AWS/SQS',
                  metricName: 'ApproximateNumberOfMessagesVisible',
                  dimensions: [{ name: 'QueueName', value: queue.queueName }],
                },
                stat: 'Average',
              },
            },
            {
              id: RUNNING,
              returnData: false,
              metricStat: {
                metric: {
                  namespace: 'ECS/ContainerInsights',
                  metricName: 'RunningTaskCount',
                  dimensions: Object.entries(serviceDimensions).map(([name, value]) => ({ name, value })),
                },
                stat: 'Average',
              },
            },
            {
              id: 'backlogPerTask',
              label: 'visible messages per running worker task',
              // No running task (or no datapoint yet) divides by 1: the backlog itself.
              expression: `${VISIBLE} / IF(FILL(${RUNNING}, 0) < 1, 1, FILL(${RUNNING}, 0))`,
              returnData: true,
            },
          ],
        },
      },
    });

    const wakeMetric = new cloudwatch.MathExpression({
      label: 'messages waiting with no worker task running',
      expression: `IF(${VISIBLE} > 0 AND FILL(${RUNNING}, 0) < 1, 1, 0)`,
      usingMetrics: {
        [VISIBLE]: queue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: 'Maximum',
        }),
        [RUNNING]: new cloudwatch.Metric({
          namespace: 'ECS/ContainerInsights',
          metricName: 'RunningTaskCount',
          dimensionsMap: serviceDimensions,
          period: Duration.minutes(1),
          statistic: 'Maximum',
        }),
      },
      period: Duration.minutes(1),
    });
    const wakePolicy = new appscaling.StepScalingAction(this, 'WakeFromZero', {
      scalingTarget: this.target,
      adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
      cooldown: Duration.minutes(2),
    });
    wakePolicy.addAdjustment({ lowerBound: 0, adjustment: 1 });
    this.wakeAlarm = new cloudwatch.Alarm(this, 'WakeAlarm', {
      alarmDescription: 'Jobs are waiting and no worker task runs: start one (target tracking takes over).',
      metric: wakeMetric,
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.wakeAlarm.addAlarmAction({
      bind: () => ({ alarmActionArn: wakePolicy.scalingPolicyArn }),
    });
  }
}
