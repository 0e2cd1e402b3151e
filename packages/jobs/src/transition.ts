import type { JobStatus } from './schema.ts';

/** Why a transition did not apply. */
export type TransitionRefusalReason =
  /** There is no status document yet. */
  | 'no-status'
  /** Another worker holds the job (or none does). */
  | 'not-holder'
  /** The job is not `processing`. */
  | 'not-processing'
  /** The job has ended (`succeeded` or `failed`). */
  | 'terminal'
  /** The status changed since the caller looked at it. */
  | 'stale'
  /** Claim: the same source already succeeded. */
  | 'already-succeeded'
  /** Claim: the same source already failed permanently and an S3 event asks for it again. */
  | 'already-failed'
  /** Claim: a live peer holds the job. */
  | 'held-by-peer';

/**
 * The next status of a job, or why there is none. Transitions are pure: they take the current status
 * (undefined when none exists) and their inputs, and never read a clock or touch S3.
 */
export type Transition =
  | { ok: true; status: JobStatus }
  | { ok: false; reason: TransitionRefusalReason; message: string };

export function refuse(reason: TransitionRefusalReason, message: string): Transition {
  return { ok: false, reason, message };
}

/** When the job last showed life (ms since the epoch): its worker's heartbeat, its last status write, or its creation. */
export function lastActivity(status: JobStatus | undefined, createdAt: string): number {
  const times = [Date.parse(createdAt)];
  if (status) times.push(Date.parse(status.updatedAt));
  if (status?.worker) times.push(Date.parse(status.worker.heartbeatAt));
  return Math.max(...times.filter(Number.isFinite));
}
