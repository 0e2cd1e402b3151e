import type { JobStatus } from './schema.ts';
import { TERMINAL_STATES } from './schema.ts';
import { lastActivity, refuse, type Transition } from './transition.ts';

/** What the reconciler saw of a stale job when it decided to act. */
export interface StaleJob {
  jobId: string;
  /** The spec's `createdAt`. */
  specCreatedAt: string;
  /** {@link lastActivity} when the reconciler looked: a status written since makes the decision stale. */
  seenActivity: number;
  /** ms since the epoch. */
  now: number;
}

/**
 * The reconciler re-enqueues a stale job: `queued`, its lost attempt (holder, progress, live ladder) dropped,
 * `reenqueued` counted. A job without a status gets its first one. Refused when the job ended or showed
 * life since the reconciler looked.
 * @example
 * const next = reenqueueJob(current, { jobId, specCreatedAt, seenActivity, now, source: { bucket, key, etag } });
 */
export function reenqueueJob(
  current: JobStatus | undefined,
  input: StaleJob & { source: { bucket: string; key: string; etag?: string | undefined } },
): Transition {
  if (current !== undefined) {
    const unchanged = checkUnchanged(current, input);
    if (!unchanged.ok) return unchanged;
  }
  const base: JobStatus = current ?? {
    schemaVersion: 1,
    jobId: input.jobId,
    state: 'queued',
    source: {
      bucket: input.source.bucket,
      key: input.source.key,
      ...(input.source.etag ? { etag: input.source.etag } : {}),
    },
    attempts: 0,
    outputs: [],
    timings: { queuedAt: input.specCreatedAt },
    createdAt: input.specCreatedAt,
    updatedAt: new Date(input.now).toISOString(),
  };
  const { worker: _worker, progress: _progress, live: _live, playableAt: _playableAt, ...rest } = base;
  return { ok: true, status: { ...rest, state: 'queued', reenqueued: (current?.reenqueued ?? 0) + 1 } };
}

/**
 * Takes back a re-enqueue whose message could not be sent, unless the status changed since it was marked.
 * @example
 * const next = undoReenqueue(current, { markedUpdatedAt: marked.updatedAt });
 */
export function undoReenqueue(
  current: JobStatus | undefined,
  input: { markedUpdatedAt: string },
): Transition {
  if (current === undefined) return refuse('no-status', 'the job has no status document');
  if (current.updatedAt !== input.markedUpdatedAt) {
    return refuse('stale', `job ${current.jobId} changed since it was re-enqueued`);
  }
  return { ok: true, status: { ...current, reenqueued: Math.max(0, (current.reenqueued ?? 1) - 1) } };
}

/**
 * A job still stale after it was re-enqueued has exhausted its retries: `failed` with `EXHAUSTED_RETRIES`.
 * Refused when the job has no status, ended, or showed life since the reconciler looked.
 * @example
 * const next = exhaustJob(current, { jobId, specCreatedAt, seenActivity, now });
 */
export function exhaustJob(current: JobStatus | undefined, input: StaleJob): Transition {
  if (current === undefined) return refuse('no-status', `job ${input.jobId} has no status document`);
  const unchanged = checkUnchanged(current, input);
  if (!unchanged.ok) return unchanged;
  const { progress: _progress, worker: _worker, live: _live, playableAt: _playableAt, ...rest } = current;
  const minutes = Math.round((input.now - input.seenActivity) / 60_000);
  return {
    ok: true,
    status: {
      ...rest,
      state: 'failed',
      outputs: [],
      error: {
        code: 'EXHAUSTED_RETRIES',
        message: `exhausted retries: no progress for ${minutes} minutes after it was re-enqueued`,
        permanent: true,
      },
      timings: { ...rest.timings, finishedAt: new Date(input.now).toISOString() },
    },
  };
}

function checkUnchanged(current: JobStatus, input: StaleJob): Transition {
  if (TERMINAL_STATES.includes(current.state)) {
    return refuse('terminal', `job ${current.jobId} has ended (${current.state})`);
  }
  if (lastActivity(current, input.specCreatedAt) !== input.seenActivity) {
    return refuse('stale', `job ${current.jobId} showed life since the reconciler looked`);
  }
  return { ok: true, status: current };
}
