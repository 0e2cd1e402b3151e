import type { JobError } from '@media-server/jobs';
import { MediaPipelineError } from '@media-server/media-pipeline';
import { isPermanentError } from '@media-server/queue-consumer';
import { JobFailure } from './job-failure.ts';

/**
 * The `error` a failed or re-queued job's status shows. `permanent` is {@link isPermanentError}, the one
 * test the worker uses; a job whose retries ran out (`exhaustedAfter` attempts) shows `EXHAUSTED_RETRIES`,
 * permanent. Clients read the message: local paths are cut (`file:/tmp/…/w123-<job>-x/source.mp4` →
 * `source.mp4`).
 */
export function describeJobError(
  error: unknown,
  options: { workDir: string; exhaustedAfter?: number | undefined },
): JobError {
  const { workDir, exhaustedAfter } = options;
  let message = error instanceof Error ? error.message : String(error);
  if (workDir !== '') message = message.replaceAll(`file:${workDir}/`, '').replaceAll(`${workDir}/`, '');
  if (exhaustedAfter !== undefined) {
    return {
      code: 'EXHAUSTED_RETRIES',
      message: `exhausted retries after ${exhaustedAfter} attempts: ${message}`,
      permanent: true,
    };
  }
  const code =
    error instanceof JobFailure || error instanceof MediaPipelineError
      ? error.code
      : ((error as { name?: string })?.name ?? 'ERROR');
  return { code, message, permanent: isPermanentError(error) };
}
