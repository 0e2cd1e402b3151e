import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, relative, sep } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  JobDocumentError,
  type JobError,
  type JobOutput,
  type JobSpec,
  type JobStatus,
  type JobStore,
  outputsPrefix,
  type PresetName,
} from '@media-server/jobs';
import {
  admitInput,
  createInputProfile,
  MediaPipelineError,
  type OutputFile,
  type ProbeResult,
  planLadder,
  probe,
  runPreset,
} from '@media-server/media-pipeline';
import { isPermanentError, PermanentError } from '@media-server/queue-consumer';
import type { Logger } from 'pino';
import type { WorkerConfig } from './config.ts';
import { DownloadPace } from './download-pace.ts';
import type { FfmpegReport } from './ffmpeg-runtime.ts';
import { JobFailure } from './job-failure.ts';
import { JobProgressTracker } from './job-progress.ts';
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
import { checkPresets } from './presets.ts';
import { downloadObject, normaliseEtag, uploadFile } from './s3-transfer.ts';
import { StatusWriter } from './status-writer.ts';
import type { Webhooks } from './webhooks.ts';

/** The object a job processes. */
export interface JobTarget {
  jobId: string;
  bucket: string;
  key: string;
  etag?: string | undefined;
  size?: number | undefined;
  /** `event`: an S3 notification; `message`: a job message (API or reconciler). */
  via: 'event' | 'message';
}

/** The queue message a job runs for. */
export interface DeliveryContext {
  messageId: string;
  receiveCount: number;
  signal: AbortSignal;
}

export type JobOutcome = 'succeeded' | 'failed' | 'skipped';

/** Every output file kind that is media (probed before it is stored). */
const PROBED_KINDS = new Set(['mp4', 'hls-init', 'poster', 'sprite', 'image', 'audio']);

/**
 * Runs one job: claim → download (streamed) → probe → policy → presets → check outputs → store outputs
 * → `succeeded`. Bad media ends `failed` with a {@link PermanentError}; anything else is rethrown so the
 * consumer hands the message back with backoff (on its last receive the job is marked failed first).
 */
export class JobRunner {
  readonly #config: WorkerConfig;
  readonly #s3: S3Client;
  readonly #store: JobStore;
  readonly #log: Logger;
  readonly #metrics: WorkerMetrics;
  readonly #webhooks: Webhooks;
  readonly #ffmpeg: FfmpegReport | undefined;
  /** Jobs running in this process: a second message for one of them is a duplicate. */
  readonly #active = new Set<string>();
  /** The queue's maxReceiveCount (RedrivePolicy), when it has a dead-letter queue. */
  maxReceiveCount: number | undefined;

  constructor(deps: {
    config: WorkerConfig;
    s3: S3Client;
    store: JobStore;
    log: Logger;
    metrics: WorkerMetrics;
    webhooks: Webhooks;
    /** Recorded in every job's status: which ffmpeg ran it, and how isolated. */
    ffmpeg?: FfmpegReport | undefined;
  }) {
    this.#config = deps.config;
    this.#s3 = deps.s3;
    this.#store = deps.store;
    this.#log = deps.log;
    this.#metrics = deps.metrics;
    this.#webhooks = deps.webhooks;
    this.#ffmpeg = deps.ffmpeg;
  }

  async run(target: JobTarget, delivery: DeliveryContext): Promise<JobOutcome> {
    const log = this.#log.child({ jobId: target.jobId, key: target.key, attempt: delivery.receiveCount });
    if (this.#active.has(target.jobId)) return this.#skip('held-by-self', undefined, log);
    this.#active.add(target.jobId);
    try {
      let spec: JobSpec | undefined;
      let current: JobStatus | undefined;
      try {
        [spec, current] = await Promise.all([
          this.#readSpec(target.jobId, log),
          this.#store.readStatus(target.jobId),
        ]);
      } catch (error) {
        log.warn({ err: error }, 'could not read the job documents; handing the message back');
        throw error;
      }
      const skip = skipReason(current, normaliseEtag(target.etag), delivery, this.#config, target);
      if (skip !== undefined) return this.#skip(skip, current, log);
      return await this.#runClaimed(target, delivery, spec, log);
    } finally {
      this.#active.delete(target.jobId);
    }
  }

  #skip(reason: string, current: JobStatus | undefined, log: Logger): JobOutcome {
    log.info({ reason, state: current?.state }, 'job needs no work');
    this.#metrics.ignored.inc({ reason });
    this.#metrics.jobs.inc({ outcome: 'skipped' });
    return 'skipped';
  }

  async #runClaimed(
    target: JobTarget,
    delivery: DeliveryContext,
    spec: JobSpec | undefined,
    log: Logger,
  ): Promise<JobOutcome> {
    const config = this.#config;
    const etag = normaliseEtag(target.etag);
    const startedAt = Date.now();
    const lost = new AbortController();
    const signal = AbortSignal.any([delivery.signal, lost.signal]);
    const writer = new StatusWriter({
      store: this.#store,
      jobId: target.jobId,
      workerId: config.workerId,
      intervalMs: config.progressIntervalMs,
      log,
      onLost: () => lost.abort(new Error('another worker claimed the job')),
    });
    const claimed = await writer
      .update((status) => ({
        schemaVersion: 1,
        jobId: target.jobId,
        state: 'processing',
        source: {
          bucket: target.bucket,
          key: target.key,
          ...(etag === undefined ? {} : { etag }),
          ...(target.size === undefined ? {} : { size: target.size }),
        },
        attempts: Math.max(delivery.receiveCount, (status?.attempts ?? 0) + 1),
        progress: { percent: 0, stage: 'downloading' },
        outputs: [],
        timings: {
          queuedAt: status?.timings.queuedAt ?? spec?.createdAt ?? new Date(startedAt).toISOString(),
          startedAt: new Date(startedAt).toISOString(),
        },
        worker: { id: config.workerId, heartbeatAt: new Date().toISOString(), messageId: delivery.messageId },
        ...(this.#ffmpeg === undefined ? {} : { ffmpeg: this.#ffmpeg }),
        ...(status?.reenqueued === undefined ? {} : { reenqueued: status.reenqueued }),
        ...(status?.webhookDeliveries === undefined ? {} : { webhookDeliveries: status.webhookDeliveries }),
        createdAt: status?.createdAt ?? spec?.createdAt ?? new Date(startedAt).toISOString(),
        updatedAt: new Date().toISOString(),
      }))
      .catch((error: unknown) => {
        log.warn({ err: error }, 'could not claim the job; handing the message back');
        throw error;
      });
    if (claimed === undefined) throw new Error('claim write returned nothing');
    log.info('job started');
    this.#webhooks.send(spec, 'job.processing', claimed, writer);
    writer.startHeartbeat();
    this.#metrics.inFlight.inc();

    let workDir = '';
    try {
      await mkdir(config.tempDir, { recursive: true });
      workDir = await mkdtemp(join(config.tempDir, `w${process.pid}-${target.jobId}-`));
      const result = await this.#process(target, spec, workDir, writer, signal, log);
      await writer.close();
      const final = await writer.update((status) => {
        if (status?.worker?.id !== config.workerId) return undefined;
        const { progress: _progress, error: _error, worker: _worker, live: _live, ...rest } = status;
        return {
          ...rest,
          state: 'succeeded',
          // The only place 100 is written: together with `succeeded`.
          progress: { percent: 100, stage: 'done' },
          source: {
            ...rest.source,
            ...(result.etag === undefined ? {} : { etag: result.etag }),
            size: result.size,
          },
          outputs: result.outputs,
          probe: result.probe,
          timings: { ...rest.timings, ...result.timings, finishedAt: new Date().toISOString() },
        };
      });
      if (final?.state !== 'succeeded')
        throw new Error('another worker claimed the job before it was stored');
      this.#finish('succeeded', startedAt);
      log.info({ outputs: result.outputs.length, ms: Date.now() - startedAt }, 'job succeeded');
      this.#webhooks.send(spec, 'job.succeeded', final, writer);
      return 'succeeded';
    } catch (error) {
      await writer.close();
      if (delivery.signal.aborted) {
        // Stopping or timed out: the consumer hands the message back; a peer takes the job over.
        this.#finish('handed_back', startedAt);
        log.warn({ reason: String(delivery.signal.reason) }, 'job interrupted; message handed back');
        throw error;
      }
      if (writer.lost || lost.signal.aborted) {
        this.#finish('lost', startedAt);
        throw error;
      }
      const permanent = isPermanentError(error);
      const exhausted =
        !permanent && this.maxReceiveCount !== undefined && delivery.receiveCount >= this.maxReceiveCount;
      const jobError = describeError(error, permanent, exhausted, delivery.receiveCount, workDir);
      const failed = await writer
        .update((status) => {
          if (status?.worker?.id !== config.workerId) return undefined;
          // This attempt's live ladder ends here: the playback route stops serving it.
          const {
            progress: _progress,
            worker: _worker,
            live: _live,
            playableAt: _playableAt,
            ...rest
          } = status;
          if (!permanent && !exhausted) return { ...rest, state: 'queued', error: jobError };
          return {
            ...rest,
            state: 'failed',
            error: jobError,
            outputs: [],
            timings: { ...rest.timings, finishedAt: new Date().toISOString() },
          };
        })
        .catch((writeError: unknown) => {
          // S3 unreachable (an outage): the status cannot say why; this line does, then the message goes back.
          log.warn(
            { err: error, writeError, code: jobError.code },
            'job failed and its status could not be written; handing the message back',
          );
          throw error;
        });
      if (permanent || exhausted) {
        this.#finish('failed', startedAt);
        log.warn({ err: error, code: jobError.code }, 'job failed');
        if (failed) this.#webhooks.send(spec, 'job.failed', failed, writer);
        if (permanent) throw new PermanentError(jobError.message, { cause: error });
        throw error;
      }
      this.#finish('retried', startedAt);
      log.warn({ err: error }, 'job hit a transient error; handing the message back');
      throw error;
    } finally {
      this.#metrics.inFlight.dec();
      if (workDir !== '') await rm(workDir, { recursive: true, force: true });
    }
  }

  /** Starts publishing the HLS ladder written into `dir` while it is encoded; the status gets `playableAt`. */
  async #startLive(
    target: JobTarget,
    dir: string,
    scratchDir: string,
    info: ProbeResult,
    writer: StatusWriter,
    signal: AbortSignal,
    log: Logger,
    pace: DownloadPace,
  ): Promise<LivePublisher> {
    const publisher = new LivePublisher({
      s3: this.#s3,
      bucket: target.bucket,
      jobId: target.jobId,
      dir,
      scratchDir,
      rungs: planLadder(info),
      hasAudio: info.audio !== undefined,
      fps: info.video?.fps,
      segmentSeconds: 4,
      signal,
      log,
      onPlayable: async ({ attempt, masterKey }) => {
        pace.release();
        const workerId = this.#config.workerId;
        await writer.update((status) =>
          status?.worker?.id === workerId && status.state === 'processing'
            ? { ...status, playableAt: new Date().toISOString(), live: { attempt, masterKey } }
            : undefined,
        );
      },
    });
    await publisher.start();
    return publisher;
  }

  #finish(outcome: string, startedAt: number): void {
    this.#metrics.jobs.inc({ outcome });
    this.#metrics.jobDuration.observe({ outcome }, (Date.now() - startedAt) / 1000);
  }

  async #readSpec(jobId: string, log: Logger): Promise<JobSpec | undefined> {
    try {
      return await this.#store.readSpec(jobId);
    } catch (error) {
      if (error instanceof JobDocumentError) {
        log.warn({ err: error }, 'spec.json is invalid; using the default presets');
        return undefined;
      }
      throw error;
    }
  }

  async #process(
    target: JobTarget,
    spec: JobSpec | undefined,
    workDir: string,
    writer: StatusWriter,
    signal: AbortSignal,
    log: Logger,
  ): Promise<{
    outputs: JobOutput[];
    probe: Record<string, unknown>;
    etag: string | undefined;
    size: number;
    timings: { downloadMs: number; processMs: number; uploadMs: number };
  }> {
    const config = this.#config;
    // Download (streamed). The local name keeps a short, safe extension: the image demuxers look at it.
    const t0 = Date.now();
    const extension = extname(target.key).toLowerCase();
    const input = join(workDir, `source${/^\.[a-z0-9]{1,5}$/.test(extension) ? extension : ''}`);
    const progress = new JobProgressTracker({ sourceBytes: target.size, startedAt: t0 });
    let presetsStarted = false;
    let downloadedBytes = 0;
    let sourceBytes = target.size;
    const pace = new DownloadPace();
    const downloading = downloadObject({
      s3: this.#s3,
      bucket: target.bucket,
      key: target.key,
      file: input,
      maxBytes: config.policy.maxInputBytes,
      signal,
      pace,
      onBytes: (bytes, total) => {
        downloadedBytes = bytes;
        sourceBytes = total ?? sourceBytes;
        const size = total ?? target.size;
        if (size !== undefined && size > 0 && !presetsStarted)
          writer.progress(progress.advance('download', bytes / size, Date.now()));
      },
    });
    // Handled where it is awaited; this keeps a failure while nobody awaits it from being "unhandled".
    downloading.catch(() => {});
    let downloadMs = 0;
    let downloadFinished = false;
    const downloadAborted = new AbortController();
    const downloadEnded = downloading.then(
      (result) => {
        downloadFinished = true;
        downloadMs = Date.now() - t0;
        this.#metrics.stageDuration.observe({ stage: 'download' }, downloadMs / 1000);
        return result;
      },
      (error: unknown) => {
        downloadFinished = true;
        downloadAborted.abort(error);
        throw error;
      },
    );
    downloadEnded.catch(() => {});
    // Streamable sources (moov-first MP4, MPEG-TS) are transcoded to HLS while they download: ffmpeg
    // reads the growing local file (`-follow 1`), no network protocol is opened. Others: download first.
    const streamable = config.liveHls
      ? streamableKind(await waitForBytes(input, HEAD_BYTES, downloadEnded))
      : undefined;
    const streaming =
      streamable !== undefined &&
      (await waitForBytes(input, ADMIT_BYTES, downloadEnded)).length >= ADMIT_BYTES
        ? streamable
        : undefined;
    const downloaded = streaming === undefined ? await downloadEnded : undefined;
    if (downloaded?.bytes === 0) throw new JobFailure('INPUT_EMPTY', 'the uploaded file is empty (0 bytes)');
    if (streaming !== undefined) log.info({ source: streaming }, 'transcoding the source while it downloads');

    // Probe and policy.
    const t1 = Date.now();
    writer.progress(progress.advance('probe', 0, Date.now()));
    // The library's gate: probe, policy, and a profile narrowed to the demuxer that recognised the file
    // (the presets then cannot be steered to another demuxer by the same bytes).
    const admitted = await admitInput(input, {
      profile: createInputProfile({
        maxPixels: config.policy.maxWidth * config.policy.maxHeight,
        maxDurationSeconds: config.policy.maxDurationSeconds + 1,
      }),
      policy: {
        maxDurationSeconds: config.policy.maxDurationSeconds,
        maxWidth: config.policy.maxWidth,
        maxHeight: config.policy.maxHeight,
        maxPixels: config.policy.maxWidth * config.policy.maxHeight,
        maxFileSizeBytes: config.policy.maxInputBytes,
      },
      signal,
    });
    const { probe: info, kind, profile } = admitted;
    // HLS first: with live publishing the job is playable while the other presets still run.
    const presets: PresetName[] = hlsFirst(
      spec?.presets?.length ? [...spec.presets] : config.defaultPresets[kind],
    );
    checkPresets(presets, kind);
    log.info({ kind, presets, duration: info.durationSeconds, formats: profile.formats }, 'input accepted');
    // Until the live ladder has its first segments, the download only has to stay ahead of the encoder.
    if (streaming !== undefined && sourceBytes !== undefined && info.durationSeconds)
      pace.limit(downloadedBytes, sourceBytes, info.durationSeconds);
    // The runs: one combined run for a default video job (one decode, the MP4 is the top HLS rung),
    // else one ffmpeg process (one decode) per preset.
    const outDir = join(workDir, 'out');
    const steps = planPresetSteps({ presets, spec, input, probe: info, outDir, profile, signal });
    progress.planPresets(steps.map((step) => ({ preset: step.progressPreset, seconds: step.seconds })));

    const files: Array<OutputFile & { preset: PresetName }> = [];
    let live: LivePublisher | undefined;
    for (const [index, step] of steps.entries()) {
      signal.throwIfAborted();
      // Only the run that writes the HLS ladder reads the source while it downloads (see readsGrowingSource);
      // every other run waits for all of it.
      const growing =
        streaming !== undefined &&
        !downloadFinished &&
        readsGrowingSource(streaming, step.presets, step.hlsDir !== undefined);
      if (!growing) await downloadEnded;
      const plan = await step.plan(
        growing ? createInputProfile({ ...profile, followGrowingFileSeconds: 60 }) : profile,
      );
      presetsStarted = true;
      log.info({ presets: step.presets, growing }, 'preset started');
      const publisher =
        step.hlsDir !== undefined && config.liveHls
          ? await this.#startLive(
              target,
              step.hlsDir,
              join(workDir, 'live-check'),
              info,
              writer,
              signal,
              log,
              pace,
            )
          : undefined;
      if (publisher === undefined) pace.release();
      const run = await runPreset(plan, {
        signal: AbortSignal.any([
          signal,
          ...(publisher === undefined ? [] : [publisher.signal]),
          ...(growing ? [downloadAborted.signal] : []),
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
        pace.release();
        await publisher?.stop();
        if (growing && downloadAborted.signal.aborted) throw downloadAborted.signal.reason;
        throw publisher?.error ?? error;
      });
      pace.release();
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
    const source = await downloadEnded;
    const processMs = Date.now() - t1;
    this.#metrics.stageDuration.observe({ stage: 'process' }, processMs / 1000);

    // Check every output before anything is stored: a file that does not probe is never published.
    const outputs: JobOutput[] = [];
    const prefix = outputsPrefix(target.jobId);
    // A live-published ladder keeps its attempt's keys; the VOD playlists stored below end the live ones.
    const keyOf = (file: OutputFile): string =>
      live !== undefined && dirname(file.path) === join(outDir, 'hls')
        ? `${live.prefix}${basename(file.path)}`
        : `${prefix}${relative(outDir, file.path).split(sep).join('/')}`;
    for (const file of files) {
      const key = keyOf(file);
      const described = await describeOutput(file, key, signal);
      if (described) outputs.push(described);
    }

    // Store (streamed, multipart for big files); the status says succeeded only after all are stored.
    const t2 = Date.now();
    const sizes = await Promise.all(files.map(async (file) => (await stat(file.path)).size));
    const storeBytes = sizes.reduce((sum, size) => sum + size, 0);
    progress.planStore(storeBytes);
    writer.progress(progress.advance('store', 0, Date.now()));
    let stored = 0;
    for (const [i, file] of files.entries()) {
      signal.throwIfAborted();
      const key = keyOf(file);
      if (live?.stored.has(file.path)) {
        stored += sizes[i] ?? 0;
        continue;
      }
      await uploadFile({
        s3: this.#s3,
        bucket: target.bucket,
        key,
        file: file.path,
        contentType: file.contentType,
        signal,
      });
      stored += sizes[i] ?? 0;
      writer.progress(progress.advance('store', storeBytes > 0 ? stored / storeBytes : 1, Date.now()));
    }
    const uploadMs = Date.now() - t2;
    this.#metrics.stageDuration.observe({ stage: 'upload' }, uploadMs / 1000);

    return {
      outputs,
      probe: summariseProbe(info, kind),
      etag: source.etag ?? normaliseEtag(target.etag),
      size: source.bytes,
      timings: { downloadMs, processMs, uploadMs },
    };
  }
}

/** `presets` with `hls` moved first (the rest keep their order). */
function hlsFirst(presets: PresetName[]): PresetName[] {
  return presets.includes('hls') ? ['hls', ...presets.filter((preset) => preset !== 'hls')] : presets;
}

/** Why a delivery needs no work, or undefined when the job must run. */
function skipReason(
  current: JobStatus | undefined,
  etag: string | undefined,
  delivery: DeliveryContext,
  config: WorkerConfig,
  target: JobTarget,
): string | undefined {
  if (current === undefined) return undefined;
  const sameSource =
    current.source.key === target.key && (etag === undefined || current.source.etag === etag);
  if (current.state === 'succeeded' && sameSource) return 'already-succeeded';
  if (current.state === 'failed' && sameSource && current.error?.permanent && target.via === 'event') {
    return 'already-failed';
  }
  if (current.state === 'processing' && current.worker && current.worker.id !== config.workerId) {
    // The same message again means its previous holder lost it (crash, stop, timeout): take over.
    const sameMessage = current.worker.messageId === delivery.messageId;
    const age = Date.now() - Date.parse(current.worker.heartbeatAt);
    const liveFor = Math.max(config.progressIntervalMs * 15, 30_000);
    if (!sameMessage && age < liveFor) return 'held-by-peer';
  }
  return undefined;
}

function describeError(
  error: unknown,
  permanent: boolean,
  exhausted: boolean,
  attempts: number,
  workDir: string,
): JobError {
  // Clients read this: no local paths (`file:/tmp/media-worker/w123-<job>-x/source.mp4` → `source.mp4`).
  let message = error instanceof Error ? error.message : String(error);
  if (workDir !== '') message = message.replaceAll(`file:${workDir}/`, '').replaceAll(`${workDir}/`, '');
  if (exhausted) {
    return {
      code: 'EXHAUSTED_RETRIES',
      message: `exhausted retries after ${attempts} attempts: ${message}`,
      permanent: true,
    };
  }
  const code =
    error instanceof JobFailure
      ? error.code
      : error instanceof MediaPipelineError
        ? error.code
        : ((error as { name?: string })?.name ?? 'ERROR');
  return { code, message, permanent };
}

async function describeOutput(
  file: OutputFile & { preset: PresetName },
  key: string,
  signal: AbortSignal,
): Promise<JobOutput | undefined> {
  const { size } = await stat(file.path);
  if (size === 0) throw new Error(`output ${key} is empty`);
  const base: JobOutput = { preset: file.preset, kind: file.kind, key, contentType: file.contentType, size };
  if (file.kind === 'hls-segment') return undefined;
  if (file.kind === 'hls-master' || file.kind === 'hls-playlist') {
    const text = await readFile(file.path, 'utf8');
    if (!text.startsWith('#EXTM3U')) throw new Error(`output ${key} is not an HLS playlist`);
    return base;
  }
  if (!PROBED_KINDS.has(file.kind)) return base;
  const info = await probe(file.path, { signal });
  const video = info.video;
  if (info.streams.length === 0) throw new Error(`output ${key} has no streams`);
  return {
    ...base,
    ...(video ? { width: video.displayWidth, height: video.displayHeight } : {}),
    ...(file.kind === 'mp4' || file.kind === 'audio'
      ? info.durationSeconds === undefined
        ? {}
        : { durationSeconds: round(info.durationSeconds) }
      : {}),
  };
}

function summariseProbe(info: ProbeResult, kind: string): Record<string, unknown> {
  return {
    kind,
    format: info.format.names.join(','),
    durationSeconds: info.durationSeconds,
    sizeBytes: info.format.sizeBytes,
    bitRate: info.format.bitRate,
    ...(info.video
      ? {
          video: {
            codec: info.video.codec,
            width: info.video.displayWidth,
            height: info.video.displayHeight,
            fps: info.video.fps,
            rotation: info.video.rotation,
          },
        }
      : {}),
    ...(info.audio
      ? {
          audio: {
            codec: info.audio.codec,
            channels: info.audio.channels,
            sampleRate: info.audio.sampleRate,
          },
        }
      : {}),
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
