import type { JobError, JobOutput, JobProgress, JobStatus, WebhookDelivery } from './schema.ts';
import { TERMINAL_STATES } from './schema.ts';
import { refuse, type Transition } from './transition.ts';

/** What a worker knows when it starts a job. */
export interface ClaimInput {
  jobId: string;
  workerId: string;
  /** The queue message the job runs for: a redelivery of it means its previous holder lost it. */
  messageId: string;
  /** SQS ApproximateReceiveCount of the message. */
  receiveCount: number;
  source: { bucket: string; key: string; etag?: string | undefined; size?: number | undefined };
  /** `event`: an S3 notification; `message`: a job message (API or reconciler). */
  via: 'event' | 'message';
  /** The spec's `createdAt`, when there is a spec. */
  specCreatedAt?: string | undefined;
  ffmpeg?: JobStatus['ffmpeg'];
  /** A peer's claim counts as live while its heartbeat is younger than this (ms). */
  peerLivenessMs: number;
  /** ms since the epoch. */
  now: number;
}

/**
 * A worker takes the job: `processing` at 0 %, `downloading`, held by `workerId`. Refused when the same
 * source already succeeded, when an S3 event asks again for a source that failed permanently, and while a
 * live peer holds the job (unless this is the peer's own message again: then the peer lost it).
 * @example
 * const next = claimJob(current, { jobId, workerId, messageId, receiveCount: 1, source, via: 'event', peerLivenessMs: 30_000, now: Date.now() });
 * if (!next.ok) log.info({ reason: next.reason }, 'job needs no work');
 */
export function claimJob(current: JobStatus | undefined, input: ClaimInput): Transition {
  if (current !== undefined) {
    const sameSource =
      current.source.key === input.source.key &&
      (input.source.etag === undefined || current.source.etag === input.source.etag);
    if (current.state === 'succeeded' && sameSource) {
      return refuse('already-succeeded', `job ${input.jobId} already succeeded for this source`);
    }
    if (current.state === 'failed' && sameSource && current.error?.permanent && input.via === 'event') {
      return refuse('already-failed', `job ${input.jobId} already failed permanently for this source`);
    }
    const holder = current.worker;
    if (current.state === 'processing' && holder !== undefined && holder.id !== input.workerId) {
      const sameMessage = holder.messageId === input.messageId;
      const age = input.now - Date.parse(holder.heartbeatAt);
      if (!sameMessage && age < input.peerLivenessMs) {
        return refuse('held-by-peer', `worker ${holder.id} holds job ${input.jobId}`);
      }
    }
  }
  const now = new Date(input.now).toISOString();
  const { source } = input;
  return {
    ok: true,
    status: {
      schemaVersion: 1,
      jobId: input.jobId,
      state: 'processing',
      source: {
        bucket: source.bucket,
        key: source.key,
        ...(source.etag === undefined ? {} : { etag: source.etag }),
        ...(source.size === undefined ? {} : { size: source.size }),
      },
      attempts: Math.max(input.receiveCount, (current?.attempts ?? 0) + 1),
      progress: { percent: 0, stage: 'downloading' },
      outputs: [],
      timings: {
        queuedAt: current?.timings.queuedAt ?? input.specCreatedAt ?? now,
        startedAt: now,
      },
      worker: { id: input.workerId, heartbeatAt: now, messageId: input.messageId },
      ...(input.ffmpeg === undefined ? {} : { ffmpeg: input.ffmpeg }),
      ...(current?.reenqueued === undefined ? {} : { reenqueued: current.reenqueued }),
      ...(current?.webhookDeliveries === undefined ? {} : { webhookDeliveries: current.webhookDeliveries }),
      createdAt: current?.createdAt ?? input.specCreatedAt ?? now,
      updatedAt: now,
    },
  };
}

/**
 * The holder reports progress (or only that it is alive: the heartbeat). Refused when the job is no
 * longer `processing` under `workerId`: the worker has lost it.
 * @example
 * const next = recordProgress(current, { workerId, progress: { percent: 40, stage: 'transcoding' }, now: Date.now() });
 */
export function recordProgress(
  current: JobStatus | undefined,
  input: { workerId: string; progress?: JobProgress | undefined; now: number },
): Transition {
  const held = checkRunning(current, input.workerId);
  if (!held.ok) return held;
  const status = held.status;
  return {
    ok: true,
    status: {
      ...status,
      ...(input.progress === undefined ? {} : { progress: input.progress }),
      worker: {
        ...(status.worker ?? { id: input.workerId }),
        heartbeatAt: new Date(input.now).toISOString(),
      },
    },
  };
}

/**
 * Every HLS rung of the attempt `attempt` has a stored segment: the job is playable while it is processed.
 * @example
 * const next = markPlayable(current, { workerId, attempt: 'a1b2', masterKey, now: Date.now() });
 */
export function markPlayable(
  current: JobStatus | undefined,
  input: { workerId: string; attempt: string; masterKey: string; now: number },
): Transition {
  const held = checkRunning(current, input.workerId);
  if (!held.ok) return held;
  const status = held.status;
  return {
    ok: true,
    status: {
      ...status,
      playableAt: new Date(input.now).toISOString(),
      live: { attempt: input.attempt, masterKey: input.masterKey },
    },
  };
}

/** What a successful run produced. */
export interface JobResult {
  outputs: JobOutput[];
  probe: Record<string, unknown>;
  /** The ETag of the bytes that were processed. */
  etag?: string | undefined;
  size: number;
  timings: { downloadMs: number; processMs: number; uploadMs: number };
}

/**
 * The holder stored every output: `succeeded` at 100 % (the only transition that writes 100).
 * @example
 * const next = succeedJob(current, { workerId, result, now: Date.now() });
 */
export function succeedJob(
  current: JobStatus | undefined,
  input: { workerId: string; result: JobResult; now: number },
): Transition {
  const held = checkHolder(current, input.workerId);
  if (!held.ok) return held;
  const { progress: _progress, error: _error, worker: _worker, live: _live, ...rest } = held.status;
  const { result } = input;
  return {
    ok: true,
    status: {
      ...rest,
      state: 'succeeded',
      progress: { percent: 100, stage: 'done' },
      source: {
        ...rest.source,
        ...(result.etag === undefined ? {} : { etag: result.etag }),
        size: result.size,
      },
      outputs: result.outputs,
      probe: result.probe,
      timings: { ...rest.timings, ...result.timings, finishedAt: new Date(input.now).toISOString() },
    },
  };
}

/**
 * The holder's attempt failed for good (`error.permanent`, or retries exhausted): `failed`, no outputs.
 * The attempt's live ladder ends here: the playback route stops serving it.
 * @example
 * const next = failJob(current, { workerId, error: { code: 'INPUT_EMPTY', message: 'empty', permanent: true }, now: Date.now() });
 */
export function failJob(
  current: JobStatus | undefined,
  input: { workerId: string; error: JobError; now: number },
): Transition {
  const held = checkHolder(current, input.workerId);
  if (!held.ok) return held;
  const rest = endAttempt(held.status);
  return {
    ok: true,
    status: {
      ...rest,
      state: 'failed',
      error: input.error,
      outputs: [],
      timings: { ...rest.timings, finishedAt: new Date(input.now).toISOString() },
    },
  };
}

/**
 * The holder's attempt hit a transient error: `queued` again with the error, for the next delivery.
 * @example
 * const next = requeueJob(current, { workerId, error: { code: 'Error', message: 'socket hang up', permanent: false } });
 */
export function requeueJob(
  current: JobStatus | undefined,
  input: { workerId: string; error: JobError },
): Transition {
  const held = checkHolder(current, input.workerId);
  if (!held.ok) return held;
  return { ok: true, status: { ...endAttempt(held.status), state: 'queued', error: input.error } };
}

/**
 * Appends one webhook attempt to the job's record, keeping the newest `keep` (the document stays small).
 * Any state: a `job.succeeded` delivery is recorded after the job ended.
 * @example
 * const next = recordWebhookAttempt(current, { attempt, keep: 50 });
 */
export function recordWebhookAttempt(
  current: JobStatus | undefined,
  input: { attempt: WebhookDelivery; keep: number },
): Transition {
  if (current === undefined) return refuse('no-status', 'the job has no status document');
  const deliveries = [...(current.webhookDeliveries ?? []), input.attempt].slice(-input.keep);
  return { ok: true, status: { ...current, webhookDeliveries: deliveries } };
}

/** The job's status when `workerId` holds it; a refusal otherwise. */
function checkHolder(current: JobStatus | undefined, workerId: string): Transition {
  if (current === undefined) return refuse('no-status', 'the job has no status document');
  if (TERMINAL_STATES.includes(current.state)) {
    return refuse('terminal', `job ${current.jobId} has ended (${current.state})`);
  }
  if (current.worker?.id !== workerId) {
    return refuse('not-holder', `job ${current.jobId} is held by ${current.worker?.id ?? 'no worker'}`);
  }
  return { ok: true, status: current };
}

/** As {@link checkHolder}, and the job must be `processing`: progress and a live ladder need a running attempt. */
function checkRunning(current: JobStatus | undefined, workerId: string): Transition {
  const held = checkHolder(current, workerId);
  if (!held.ok || held.status.state === 'processing') return held;
  return refuse('not-processing', `job ${held.status.jobId} is ${held.status.state}`);
}

/** The status without what only a running attempt has (progress, holder, live ladder). */
function endAttempt(status: JobStatus): Omit<JobStatus, 'progress' | 'worker' | 'live' | 'playableAt'> {
  const { progress: _progress, worker: _worker, live: _live, playableAt: _playableAt, ...rest } = status;
  return rest;
}
