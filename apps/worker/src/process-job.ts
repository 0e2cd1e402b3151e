import { basename, dirname, join, relative, sep } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  type JobOutput,
  type JobResult,
  type JobSpec,
  markPlayable,
  outputsPrefix,
} from '@media-server/jobs';
import {
  createInputProfile,
  type OutputFile,
  type ProbeResult,
  planLadder,
  runPreset,
} from '@media-server/media-pipeline';
import type { Logger } from 'pino';
import { admitSource } from './admit-source.ts';
import type { WorkerConfig } from './config.ts';
import { describeOutput, round, summariseProbe } from './describe-outputs.ts';
import { JobFailure } from './job-failure.ts';
import { JobProgressTracker } from './job-progress.ts';
import type { JobTarget } from './job-target.ts';
import { LivePublisher } from './live-hls/live-publisher.ts';
import {
  ADMIT_BYTES,
  HEAD_BYTES,
  readsGrowingSource,
  streamableKind,
  waitForBytes,
} from './live-hls/streamable-source.ts';
import type { WorkerMetrics } from './metrics.ts';
import { planPresetSteps } from './preset-steps.ts';
import { normaliseEtag } from './s3-transfer.ts';
import { startSourceDownload } from './source-download.ts';
import type { StatusWriter } from './status-writer.ts';
import { type PresetFile, storeOutputs } from './store-outputs.ts';

/** Everything one run of a claimed job needs. */
export interface ProcessContext {
  config: WorkerConfig;
  s3: S3Client;
  metrics: WorkerMetrics;
  target: JobTarget;
  spec: JobSpec | undefined;
  /** The job's own temporary directory (removed by the caller). */
  workDir: string;
  writer: StatusWriter;
  signal: AbortSignal;
  log: Logger;
}

/**
 * The work of a claimed job: download (streamed) → admit (probe, policy) → presets → check outputs → store
 * outputs. Answers what `succeedJob` records; throws on any failure (the caller settles the job).
 */
export async function processJob(context: ProcessContext): Promise<JobResult> {
  const { config, target, spec, workDir, writer, signal, log, metrics } = context;
  const t0 = Date.now();
  const progress = new JobProgressTracker({ sourceBytes: target.size, startedAt: t0 });
  let presetsStarted = false;
  const download = startSourceDownload({
    s3: context.s3,
    target,
    workDir,
    maxBytes: config.policy.maxInputBytes,
    signal,
    onBytes: (bytes, total) => {
      const size = total ?? target.size;
      if (size !== undefined && size > 0 && !presetsStarted)
        writer.progress(progress.advance('download', bytes / size, Date.now()));
    },
  });
  download.ended.then(
    () => metrics.stageDuration.observe({ stage: 'download' }, download.ms / 1000),
    () => {},
  );
  const input = download.file;
  // Streamable sources (moov-first MP4, MPEG-TS) are transcoded to HLS while they download: ffmpeg
  // reads the growing local file (`-follow 1`), no network protocol is opened. Others: download first.
  const streamable = config.liveHls
    ? streamableKind(await waitForBytes(input, HEAD_BYTES, download.ended))
    : undefined;
  const streaming =
    streamable !== undefined && (await waitForBytes(input, ADMIT_BYTES, download.ended)).length >= ADMIT_BYTES
      ? streamable
      : undefined;
  const downloaded = streaming === undefined ? await download.ended : undefined;
  if (downloaded?.bytes === 0) throw new JobFailure('INPUT_EMPTY', 'the uploaded file is empty (0 bytes)');
  if (streaming !== undefined) log.info({ source: streaming }, 'transcoding the source while it downloads');

  // Probe and policy.
  const t1 = Date.now();
  writer.progress(progress.advance('probe', 0, Date.now()));
  const { probe: info, kind, profile, presets } = await admitSource(input, config, spec, signal);
  log.info({ kind, presets, duration: info.durationSeconds, formats: profile.formats }, 'input accepted');
  // Until the live ladder has its first segments, the download only has to stay ahead of the encoder.
  if (streaming !== undefined && download.total !== undefined && info.durationSeconds)
    download.pace.limit(download.bytes, download.total, info.durationSeconds);
  // The runs: one combined run for a default video job (one decode, the MP4 is the top HLS rung),
  // else one ffmpeg process (one decode) per preset.
  const outDir = join(workDir, 'out');
  const steps = planPresetSteps({ presets, spec, input, probe: info, outDir, profile, signal });
  progress.planPresets(steps.map((step) => ({ preset: step.progressPreset, seconds: step.seconds })));

  const files: PresetFile[] = [];
  let live: LivePublisher | undefined;
  for (const [index, step] of steps.entries()) {
    signal.throwIfAborted();
    // Only the run that writes the HLS ladder reads the source while it downloads (see readsGrowingSource);
    // every other run waits for all of it.
    const growing =
      streaming !== undefined &&
      !download.finished &&
      readsGrowingSource(streaming, step.presets, step.hlsDir !== undefined);
    if (!growing) {
      download.pace.release(); // nothing reads the file before it is whole
      await download.ended;
    }
    const plan = await step.plan(
      growing ? createInputProfile({ ...profile, followGrowingFileSeconds: 60 }) : profile,
    );
    presetsStarted = true;
    log.info({ presets: step.presets, growing }, 'preset started');
    const publisher =
      step.hlsDir !== undefined && config.liveHls
        ? await startLive(context, step.hlsDir, join(workDir, 'live-check'), info, () =>
            download.pace.release(),
          )
        : undefined;
    if (publisher === undefined) download.pace.release();
    const run = await runPreset(plan, {
      signal: AbortSignal.any([
        signal,
        ...(publisher === undefined ? [] : [publisher.signal]),
        ...(growing ? [download.failed] : []),
      ]),
      stallTimeoutMs: config.stallTimeoutMs,
      killGraceMs: 500,
      onProgress: (run) =>
        writer.progress({
          ...progress.advance(`preset:${index}`, (run.percent ?? 0) / 100, Date.now()),
          ...(run.fps === undefined ? {} : { fps: round(run.fps) }),
          ...(run.speed === undefined ? {} : { speed: round(run.speed) }),
        }),
    }).catch(async (error: unknown) => {
      download.pace.release();
      await publisher?.stop();
      if (growing && download.failed.aborted) throw download.failed.reason;
      throw publisher?.error ?? error;
    });
    download.pace.release();
    if (publisher !== undefined) {
      await publisher.finish();
      live = publisher;
    }
    log.info(
      { presets: step.presets, ms: run.run.durationMs, outputs: run.outputs.length },
      'preset finished',
    );
    writer.progress(progress.advance(`preset:${index}`, 1, Date.now()));
    for (const file of run.outputs) files.push({ ...file, preset: step.presetOf(file.kind) });
  }
  // Listed in the order of the presets asked for, as when each preset ran on its own.
  files.sort((a, b) => presets.indexOf(a.preset) - presets.indexOf(b.preset));
  const source = await download.ended;
  const processMs = Date.now() - t1;
  metrics.stageDuration.observe({ stage: 'process' }, processMs / 1000);

  // Check every output before anything is stored: a file that does not probe is never published.
  const prefix = outputsPrefix(target.jobId);
  // A live-published ladder keeps its attempt's keys; the VOD playlists stored below end the live ones.
  const keyOf = (file: OutputFile): string =>
    live !== undefined && dirname(file.path) === join(outDir, 'hls')
      ? `${live.prefix}${basename(file.path)}`
      : `${prefix}${relative(outDir, file.path).split(sep).join('/')}`;
  const outputs: JobOutput[] = [];
  for (const file of files) {
    const described = await describeOutput(file, keyOf(file), signal);
    if (described) outputs.push(described);
  }

  const t2 = Date.now();
  await storeOutputs(context, files, keyOf, live, progress);
  const uploadMs = Date.now() - t2;
  metrics.stageDuration.observe({ stage: 'upload' }, uploadMs / 1000);

  return {
    outputs,
    probe: summariseProbe(info, kind),
    etag: source.etag ?? normaliseEtag(target.etag),
    size: source.bytes,
    timings: { downloadMs: download.ms, processMs, uploadMs },
  };
}

/** Starts publishing the HLS ladder written into `dir` while it is encoded; the status gets `playableAt`. */
async function startLive(
  context: ProcessContext,
  dir: string,
  scratchDir: string,
  info: ProbeResult,
  onPlayable: () => void,
): Promise<LivePublisher> {
  const { target, writer, config } = context;
  const publisher = new LivePublisher({
    s3: context.s3,
    bucket: target.bucket,
    jobId: target.jobId,
    dir,
    scratchDir,
    rungs: planLadder(info),
    hasAudio: info.audio !== undefined,
    fps: info.video?.fps,
    segmentSeconds: 4,
    signal: context.signal,
    log: context.log,
    onPlayable: async ({ attempt, masterKey }) => {
      onPlayable();
      await writer.transition((current) =>
        markPlayable(current, { workerId: config.workerId, attempt, masterKey, now: Date.now() }),
      );
    },
  });
  await publisher.start();
  return publisher;
}
