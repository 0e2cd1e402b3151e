import type { JobView, MediaServerClient } from '@media-server/client';
import { Listr } from 'listr2';
import { EXIT, type ExitCode } from '../exit-codes.ts';
import { line, type Output, paint, printJson } from '../format.ts';
import { describeEvent, describeJob } from '../job-stage.ts';
import { jobResult, printJobResult } from '../job-summary.ts';

/** `media-server jobs ls`: one line per job, newest first. */
export async function listJobsCommand(
  client: MediaServerClient,
  output: Output,
  options: { limit: number | undefined; cursor: string | undefined },
  signal: AbortSignal,
): Promise<ExitCode> {
  const page = await client.jobs.list(
    {
      ...(options.limit === undefined ? {} : { limit: options.limit }),
      ...(options.cursor === undefined ? {} : { cursor: options.cursor }),
    },
    { signal },
  );
  if (output.json) {
    printJson(output, page);
    return EXIT.ok;
  }
  for (const job of page.items) {
    line(
      output,
      `${job.id}  ${describeJob(job).padEnd(22)}  ${job.createdAt}  ${job.source.filename ?? job.source.key}`,
    );
  }
  if (page.nextCursor !== undefined) line(output, paint(output, 'dim', `more: --cursor ${page.nextCursor}`));
  return EXIT.ok;
}

/** `media-server jobs get <id>`: the job's state, error and links. */
export async function getJobCommand(
  client: MediaServerClient,
  output: Output,
  id: string,
  signal: AbortSignal,
): Promise<ExitCode> {
  const job = await client.jobs.get(id, { signal });
  if (output.json) printJson(output, job);
  else {
    if (job.state === 'processing' || job.state === 'queued') line(output, `${job.id}  ${describeJob(job)}`);
    else printJobResult(output, await jobResult(client, job));
  }
  return job.state === 'failed' ? EXIT.jobFailed : EXIT.ok;
}

/** `media-server jobs watch <id>`: follows the job to its end; exit 0 succeeded, 1 failed. */
export async function watchJobCommand(
  client: MediaServerClient,
  output: Output,
  id: string,
  signal: AbortSignal,
): Promise<ExitCode> {
  let job: JobView | undefined;
  if (output.json) {
    // One JSON object per event (NDJSON), then the job.
    job = await client.jobs.wait(id, {
      signal,
      onEvent: (event) => output.stdout.write(`${JSON.stringify(event)}\n`),
    });
    output.stdout.write(`${JSON.stringify(job)}\n`);
  } else if (output.interactive) {
    await new Listr(
      [
        {
          title: `job ${id}`,
          task: async (_context: unknown, task: { title: string }) => {
            let stage = 'connecting';
            job = await client.jobs.wait(id, {
              signal,
              onEvent: (event) => {
                stage = describeEvent(event, stage);
                task.title = `job ${id}  ${stage}`;
              },
            });
            task.title = `job ${id}  ${describeJob(job)}`;
            if (job.state === 'failed') throw new Error(`job ${id} failed`);
          },
        },
      ],
      { registerSignalListeners: false, rendererOptions: { showErrorMessage: false } },
    )
      .run()
      .catch(() => {});
    if (job === undefined) job = await client.jobs.get(id, { signal });
    line(output);
    printJobResult(output, await jobResult(client, job));
  } else {
    let stage = '';
    job = await client.jobs.wait(id, {
      signal,
      onEvent: (event) => {
        const next = describeEvent(event, stage);
        // One line per stage, not per percent: a log stays readable.
        if (next.replace(/ \d+%$/, '') !== stage.replace(/ \d+%$/, '')) line(output, `${id}  ${next}`);
        stage = next;
      },
    });
    printJobResult(output, await jobResult(client, job));
  }
  return job.state === 'failed' ? EXIT.jobFailed : EXIT.ok;
}

/** `media-server jobs rm <id>`: deletes the job and its files. */
export async function deleteJobCommand(
  client: MediaServerClient,
  output: Output,
  id: string,
  options: { force: boolean },
  signal: AbortSignal,
): Promise<ExitCode> {
  await client.jobs.delete(id, options.force ? { force: true } : {}, { signal });
  if (output.json) printJson(output, { id, deleted: true });
  else line(output, `deleted job ${id}`);
  return EXIT.ok;
}

/** `media-server playback <id>`: the signed links to play a succeeded job. */
export async function playbackCommand(
  client: MediaServerClient,
  output: Output,
  id: string,
  signal: AbortSignal,
): Promise<ExitCode> {
  const playback = await client.playback(id, { signal });
  if (output.json) {
    printJson(output, playback);
    return EXIT.ok;
  }
  if (playback.hls !== null) line(output, `hls         ${playback.hls}`);
  if (playback.mp4 !== null) line(output, `mp4         ${playback.mp4}`);
  if (playback.poster !== null) line(output, `poster      ${playback.poster}`);
  if (playback.storyboard !== null) {
    line(output, `storyboard  ${playback.storyboard.vtt}`);
    for (const image of playback.storyboard.images) line(output, `            ${image}`);
  }
  line(output, paint(output, 'dim', `links expire at ${playback.expiresAt}`));
  return EXIT.ok;
}
