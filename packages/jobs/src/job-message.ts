import { isJobId } from './job-id.ts';

/**
 * The queue message the API (POST /v1/jobs) and the reconciler send to start a job whose source is
 * already in the bucket. S3 ObjectCreated events are the other kind of message on the same queue.
 */
export interface JobMessage {
  type: 'media-server.job';
  jobId: string;
  /** Why it was sent: `api` for POST /v1/jobs, `reconciler` for a re-enqueue. */
  reason: 'api' | 'reconciler';
}

export function jobMessageBody(jobId: string, reason: JobMessage['reason']): string {
  const message: JobMessage = { type: 'media-server.job', jobId, reason };
  return JSON.stringify(message);
}

/** The job message in a queue message body, or undefined when the body is something else (an S3 event). */
export function parseJobMessage(body: string): JobMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const candidate = value as Partial<JobMessage>;
  if (
    candidate.type !== 'media-server.job' ||
    typeof candidate.jobId !== 'string' ||
    !isJobId(candidate.jobId)
  ) {
    return undefined;
  }
  return {
    type: candidate.type,
    jobId: candidate.jobId,
    reason: candidate.reason === 'reconciler' ? 'reconciler' : 'api',
  };
}
