import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ResolvedSettings } from './settings.ts';

/** Namespace of the metrics the stack derives from the worker's logs. */
export const METRICS_NAMESPACE = 'MediaServer';

export interface MediaAlarmsProps {
  settings: ResolvedSettings;
  queue: sqs.IQueue;
  deadLetterQueue: sqs.IQueue;
  workerLogGroup: logs.ILogGroup;
}

/**
 * Alarms on what needs a person: messages in the DLQ, jobs waiting too long, and jobs failing. They notify
 * one SNS topic (subscribe an address or a chat integration to it).
 */
export class MediaAlarms extends Construct {
  readonly topic: sns.Topic;
  readonly deadLetters: cloudwatch.Alarm;
  readonly oldestMessage: cloudwatch.Alarm;
  readonly workerFailures: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: MediaAlarmsProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', { displayName: 'media-server alarms', enforceSSL: true });
    const notify = new actions.SnsAction(this.topic);

    this.deadLetters = new cloudwatch.Alarm(this, 'DeadLetters', {
      alarmDescription:
        'Messages reached the dead-letter queue: jobs exhausted their retries. Fix the cause, then redrive (StartMessageMoveTask).',
      metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    this.oldestMessage = new cloudwatch.Alarm(this, 'OldestMessage', {
      alarmDescription: `A job has waited more than ${props.settings.oldestMessageAlarmSeconds} s: workers are down, at their maximum, or failing to start.`,
      metric: props.queue.metricApproximateAgeOfOldestMessage({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: props.settings.oldestMessageAlarmSeconds,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    // The worker logs `job failed` (pino JSON, `msg`) for each permanently failed job and `job hit a
    // transient error` for each retried one; /metrics counts the same in media_worker_jobs_total{outcome}.
    const failures = new logs.MetricFilter(this, 'JobFailuresFilter', {
      logGroup: props.workerLogGroup,
      filterPattern: logs.FilterPattern.any(
        logs.FilterPattern.stringValue('$.msg', '=', 'job failed'),
        logs.FilterPattern.stringValue('$.msg', '=', 'job hit a transient error; handing the message back'),
      ),
      metricNamespace: METRICS_NAMESPACE,
      metricName: 'WorkerJobFailures',
      metricValue: '1',
      defaultValue: 0,
    });
    this.workerFailures = new cloudwatch.Alarm(this, 'WorkerFailures', {
      alarmDescription:
        'Worker jobs are failing (5 or more in 5 minutes): read the worker logs for "job failed".',
      metric: failures.metric({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 5,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    for (const alarm of [this.deadLetters, this.oldestMessage, this.workerFailures])
      alarm.addAlarmAction(notify);
  }
}
