import type { JobView, MediaServerClient, Mp4Mode, PresetName, UploadProgress } from '@media-server/client';
import { Listr } from 'listr2';
import { checkFiles } from '../check-files.ts';
import { EXIT, type ExitCode } from '../exit-codes.ts';
import { bar, formatBytes, formatSeconds, line, type Output, paint, printJson } from '../format.ts';
import { describeEvent, describeJob } from '../job-stage.ts';
import { type JobResult, jobResult, printJobResult } from '../job-summary.ts';
import { reportError } from '../report-error.ts';

export interface UploadCommandOptions {
  presets: PresetName[] | undefined;
  /** How the MP4 is made beside HLS; undefined: the API's default. */
  mp4: Mp4Mode | undefined;
  wait: boolean;
  /** Files uploaded at the same time. */
  parallel: number;
  /** Parts of one file sent at the same time. */
  concurrency: number;
}

/** One file's way through the command. */
interface FileRun {
  path: string;
  name: string;
  size: number;
  progress: UploadProgress | undefined;
  uploaded: boolean;
  stage: string;
  id: string | undefined;
  result: JobResult | undefined;
  error: unknown;
}

/**
 * `media-server upload <files…>`: every file checked first, then uploaded (several at once), each with
 * its bar; with `--wait` the job's stages follow on the same line; the links come at the end.
 */
export async function uploadCommand(
  client: MediaServerClient,
  output: Output,
  paths: string[],
  options: UploadCommandOptions,
  signal: AbortSignal,
): Promise<ExitCode> {
  const files: FileRun[] = (await checkFiles(paths)).map(({ path, size }) => ({
    path,
    name: path.split(/[\\/]/).pop() ?? path,
    size,
    progress: undefined,
    uploaded: false,
    stage: 'waiting',
    id: undefined,
    result: undefined,
    error: undefined,
  }));

  if (output.interactive) {
    const list = new Listr(
      files.map((file) => ({
        title: title(output, file),
        task: async (_context: unknown, task: { title: string }) => {
          await runFile(client, output, file, options, signal, () => {
            task.title = title(output, file);
          });
          task.title = title(output, file);
          if (file.error !== undefined) throw file.error;
          if (file.result?.state === 'failed') throw new Error(`job ${file.id} failed`);
        },
      })),
      {
        concurrent: options.parallel,
        exitOnError: false,
        registerSignalListeners: false,
        rendererOptions: { collapseErrors: true, showErrorMessage: false },
      },
    );
    await list.run().catch(() => {});
  } else {
    await forEachLimited(files, options.parallel, (file) =>
      runFile(client, output, file, options, signal, () => {}),
    );
  }

  return finish(client, output, files, signal);
}

async function runFile(
  client: MediaServerClient,
  output: Output,
  file: FileRun,
  options: UploadCommandOptions,
  signal: AbortSignal,
  update: () => void,
): Promise<void> {
  try {
    const uploaded = await client.upload(file.path, {
      presets: options.presets,
      mp4: options.mp4,
      concurrency: options.concurrency,
      signal,
      // The command aborts an interrupted upload itself, so that it can say which.
      keepOnAbort: true,
      onStart: ({ id }) => {
        file.id = id;
        file.stage = 'uploading';
        update();
      },
      onProgress: (progress) => {
        file.progress = progress;
        update();
      },
    });
    file.uploaded = true;
    file.stage = describeJob(uploaded.job);
    update();
    if (!output.interactive && !output.json) {
      line(output, `${file.name}: uploaded ${formatBytes(file.size)}, job ${uploaded.id} ${file.stage}`);
    }
    let job: JobView = uploaded.job;
    if (options.wait) {
      job = await client.jobs.wait(uploaded.id, {
        signal,
        onEvent: (event) => {
          file.stage = describeEvent(event, file.stage);
          update();
        },
      });
      file.stage = describeJob(job);
    }
    file.result = await jobResult(client, job, file.path);
  } catch (error) {
    file.error = error;
  }
  update();
}

function title(output: Output, file: FileRun): string {
  const total = file.size;
  const loaded = file.uploaded ? total : (file.progress?.loaded ?? 0);
  const fraction = total === 0 ? (file.uploaded ? 1 : 0) : loaded / total;
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  const rate =
    file.uploaded || file.progress === undefined ? '' : ` ${formatBytes(file.progress.bytesPerSecond)}/s`;
  const eta =
    file.uploaded || file.progress === undefined ? '' : ` ETA ${formatSeconds(file.progress.etaSeconds)}`;
  const stage = file.uploaded ? `  ${paint(output, 'cyan', file.stage)}` : '';
  return `${file.name}  ${paint(output, 'green', bar(fraction))} ${percent} ${formatBytes(loaded)}/${formatBytes(total)}${rate}${eta}${stage}`;
}

async function finish(
  client: MediaServerClient,
  output: Output,
  files: FileRun[],
  signal: AbortSignal,
): Promise<ExitCode> {
  if (signal.aborted) {
    for (const file of files.filter((candidate) => !candidate.uploaded && candidate.id !== undefined)) {
      const id = file.id ?? '';
      await client.uploads.abort(id).catch(() => {});
      output.stderr.write(`media-server: interrupted: aborted the upload of ${file.path} (job ${id})\n`);
    }
    for (const file of files.filter((candidate) => candidate.uploaded && candidate.result === undefined)) {
      output.stderr.write(
        `media-server: interrupted: stopped watching job ${file.id} (${file.path}); it goes on\n`,
      );
    }
    return EXIT.interrupted;
  }
  const results = files.flatMap((file) => (file.result === undefined ? [] : [file.result]));
  if (output.json) printJson(output, results);
  else {
    if (output.interactive && results.length > 0) line(output);
    for (const result of results) printJobResult(output, result);
  }
  let code: ExitCode = EXIT.ok;
  for (const file of files) {
    if (file.error !== undefined) {
      const fileCode = reportError(output, prefixed(file.error, file.path));
      if (code === EXIT.ok || code === EXIT.jobFailed) code = fileCode;
    }
  }
  if (code === EXIT.ok && results.some((result) => result.state === 'failed')) code = EXIT.jobFailed;
  return code;
}

/** The error with the file's name in front of its message, unless it names it already. */
function prefixed(error: unknown, path: string): unknown {
  if (error instanceof Error && !error.message.includes(path)) error.message = `${path}: ${error.message}`;
  return error;
}

async function forEachLimited<T>(items: T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  const workers = Array.from({ length: Math.max(1, Math.min(limit, queue.length)) }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await run(item);
  });
  await Promise.all(workers);
}
