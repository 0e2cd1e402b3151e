import type { JobSpec, JobState, JobStatus } from './schema.ts';

/**
 * Whether {@link jobViewState} needs to know if the source object exists: only before the worker wrote a
 * status, for a job whose source comes through an upload the API handed out.
 */
export function needsSourceCheck(status: JobStatus | undefined, spec: JobSpec | undefined): boolean {
  return status === undefined && spec?.upload !== undefined;
}

/**
 * The state a client sees. The status document's when there is one; before that the job is
 * `awaiting_upload` until its uploaded source exists, then `queued`.
 * @example
 * const exists = needsSourceCheck(status, spec) ? (await store.headSource(key)) !== undefined : undefined;
 * const state = jobViewState(status, spec, exists);
 */
export function jobViewState(
  status: JobStatus | undefined,
  spec: JobSpec | undefined,
  sourceExists: boolean | undefined,
): JobState {
  if (status !== undefined) return status.state;
  if (spec?.upload === undefined) return 'queued';
  return sourceExists === true ? 'queued' : 'awaiting_upload';
}
