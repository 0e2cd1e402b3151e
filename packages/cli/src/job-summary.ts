import type { JobView, MediaServerClient, Playback } from '@media-server/client';
import { line, type Output, paint } from './format.ts';

/** What a script gets for one job with `--json`. */
export interface JobResult {
  file?: string;
  id: string;
  state: JobView['state'];
  error?: JobView['error'];
  playback?: Playback;
  downloads: Array<{ preset: string; kind: string; url: string; size: number }>;
}

/** HLS playlists and segments are reached through the master playlist: not listed one by one. */
const HIDDEN_KINDS = new Set(['hls-playlist', 'hls-segment']);

/** The job's playback links (when the API has them: a succeeded job) and download links. */
export async function jobResult(client: MediaServerClient, job: JobView, file?: string): Promise<JobResult> {
  let playback: Playback | undefined;
  if (job.state === 'succeeded') playback = await client.playback(job.id).catch(() => undefined);
  return {
    ...(file === undefined ? {} : { file }),
    id: job.id,
    state: job.state,
    ...(job.error === undefined ? {} : { error: job.error }),
    ...(playback === undefined ? {} : { playback }),
    downloads: job.outputs
      .filter((output) => !HIDDEN_KINDS.has(output.kind))
      .map((output) => ({ preset: output.preset, kind: output.kind, url: output.url, size: output.size })),
  };
}

export function printJobResult(output: Output, result: JobResult): void {
  const state =
    result.state === 'succeeded'
      ? paint(output, 'green', result.state)
      : result.state === 'failed'
        ? paint(output, 'red', result.state)
        : result.state;
  line(output, `${paint(output, 'bold', result.file ?? result.id)}  job ${result.id}  ${state}`);
  if (result.error !== undefined) line(output, `  error     ${result.error.code}: ${result.error.message}`);
  const playback = result.playback;
  if (playback?.hls) line(output, `  play      ${playback.hls}`);
  if (playback?.mp4) line(output, `  play mp4  ${playback.mp4}`);
  if (playback?.poster) line(output, `  poster    ${playback.poster}`);
  for (const download of result.downloads) {
    line(output, `  download  ${`${download.preset}/${download.kind}`.padEnd(18)} ${download.url}`);
  }
}
