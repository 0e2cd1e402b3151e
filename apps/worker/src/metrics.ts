import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** The worker's Prometheus metrics, on their own registry. */
export interface WorkerMetrics {
  registry: Registry;
  /** Jobs that reached an outcome: succeeded, failed, retried (handed back), skipped (already done / held). */
  jobs: Counter<'outcome'>;
  /** Wall time of a job from claim to outcome, by outcome. */
  jobDuration: Histogram<'outcome'>;
  /** Time spent per stage (download, process, upload). */
  stageDuration: Histogram<'stage'>;
  /** Jobs running in this process. */
  inFlight: Gauge;
  /** Seconds between the message being sent and this worker starting it. */
  queueWait: Histogram;
  /** ApproximateNumberOfMessages / NotVisible / Delayed, polled from the queue. */
  queueDepth: Gauge<'kind'>;
  /** Age of the oldest message handed to this worker in the last poll window (seconds). */
  queueLag: Gauge;
  /** Messages acknowledged without work (not an upload, test event, duplicate). */
  ignored: Counter<'reason'>;
  /** Jobs the reconciler re-enqueued or failed. */
  reconciled: Counter<'action'>;
}

export function createMetrics(): WorkerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const durations = [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];
  return {
    registry,
    jobs: new Counter({
      name: 'media_worker_jobs_total',
      help: 'Jobs by outcome',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    jobDuration: new Histogram({
      name: 'media_worker_job_duration_seconds',
      help: 'Job wall time by outcome',
      labelNames: ['outcome'],
      buckets: durations,
      registers: [registry],
    }),
    stageDuration: new Histogram({
      name: 'media_worker_stage_duration_seconds',
      help: 'Time per job stage',
      labelNames: ['stage'],
      buckets: durations,
      registers: [registry],
    }),
    inFlight: new Gauge({
      name: 'media_worker_jobs_in_flight',
      help: 'Jobs running now',
      registers: [registry],
    }),
    queueWait: new Histogram({
      name: 'media_worker_queue_wait_seconds',
      help: 'Time from send to start of processing',
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30, 60, 300, 900],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'media_worker_queue_messages',
      help: 'Messages in the jobs queue (visible, in flight, delayed)',
      labelNames: ['kind'],
      registers: [registry],
    }),
    queueLag: new Gauge({
      name: 'media_worker_queue_lag_seconds',
      help: 'Queue wait of the last message this worker started',
      registers: [registry],
    }),
    ignored: new Counter({
      name: 'media_worker_messages_ignored_total',
      help: 'Messages acknowledged without work',
      labelNames: ['reason'],
      registers: [registry],
    }),
    reconciled: new Counter({
      name: 'media_worker_reconciler_actions_total',
      help: 'Reconciler actions',
      labelNames: ['action'],
      registers: [registry],
    }),
  };
}
