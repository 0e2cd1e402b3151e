import { type JobStatus, outputsPrefix } from '@media-server/jobs';
import { ApiError } from '../errors.ts';

/** Seconds a client waits before asking again for the playback of a job that is not playable yet. */
export const NOT_PLAYABLE_RETRY_AFTER_SECONDS = 2;

/** The HLS ladder a job's playback serves: the stored one once it succeeded, the live one while processing. */
export interface PlayableLadder {
  /** Key of the master playlist. */
  masterKey: string;
  /** True while the job is processing: the playlists still grow. */
  live: boolean;
}

/**
 * Which HLS ladder of a job may be played now, or the error to answer with: 409 + `Retry-After` while
 * it is not playable yet, 410 with the reason once it failed. `undefined` for a succeeded job without HLS.
 */
export function playableLadder(jobId: string, status: JobStatus | undefined): PlayableLadder | undefined {
  if (status?.state === 'succeeded') {
    const masterKey = status.outputs.find((output) => output.kind === 'hls-master')?.key;
    return masterKey === undefined ? undefined : { masterKey, live: false };
  }
  if (status?.state === 'failed') {
    const reason =
      status.error === undefined ? 'no reason recorded' : `${status.error.code}: ${status.error.message}`;
    throw new ApiError('GONE', `job ${jobId} failed; nothing of it is played (${reason})`);
  }
  if (status?.state === 'processing' && status.playableAt !== undefined && status.live !== undefined) {
    return { masterKey: status.live.masterKey, live: true };
  }
  throw new ApiError(
    'CONFLICT',
    `job ${jobId} is ${status?.state ?? 'not started'} and not playable yet; ` +
      'playback starts once every HLS rung has its first segment',
    { headers: { 'retry-after': String(NOT_PLAYABLE_RETRY_AFTER_SECONDS) } },
  );
}

/**
 * Checks that a playlist key belongs to the ladder the job plays now (same directory as its master).
 * A playlist of an attempt that was replaced or failed answers 410: its player must not go on with it.
 */
export function checkPlaylistIsCurrent(
  jobId: string,
  status: JobStatus | undefined,
  key: string,
): PlayableLadder {
  const ladder = playableLadder(jobId, status);
  if (ladder === undefined || dirOf(ladder.masterKey) !== dirOf(key)) {
    throw new ApiError(
      'GONE',
      `${key.slice(outputsPrefix(jobId).length)} is not part of job ${jobId}'s current HLS ladder (replaced by another attempt)`,
    );
  }
  return ladder;
}

function dirOf(key: string): string {
  return key.slice(0, key.lastIndexOf('/') + 1);
}
