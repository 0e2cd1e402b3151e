import { type Static, Type } from 'typebox';
import { JOB_ID_PATTERN } from './job-id.ts';

/** The processing a job asks for. The worker picks what fits the media when a job names none. */
export const PresetNameSchema = Type.Union(
  [
    Type.Literal('mp4'),
    Type.Literal('hls'),
    Type.Literal('poster'),
    Type.Literal('sprite'),
    Type.Literal('image'),
    Type.Literal('audio'),
  ],
  {
    description:
      'mp4: H.264/AAC MP4; hls: adaptive ladder; poster: one frame; sprite: thumbnail grid + WebVTT; image: resized variants; audio: AAC + waveform peaks',
  },
);
export type PresetName = Static<typeof PresetNameSchema>;
export const PRESET_NAMES: readonly PresetName[] = ['mp4', 'hls', 'poster', 'sprite', 'image', 'audio'];

export const JobIdSchema = Type.String({ pattern: JOB_ID_PATTERN, description: 'Job id (26 characters)' });

/**
 * How the API handed out the upload of a job's source, so that it can resume, complete or abort it
 * later without a store of its own.
 */
export const UploadPlanSchema = Type.Object({
  method: Type.Union([Type.Literal('put'), Type.Literal('multipart')]),
  /** The S3 multipart upload id (multipart only). */
  multipartUploadId: Type.Optional(Type.String({ minLength: 1 })),
  /** Size of every part but the last (multipart only). */
  partSize: Type.Optional(Type.Integer({ minimum: 1 })),
  partCount: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
  /** When the upload URLs first handed out expire. */
  expiresAt: Type.String({ format: 'date-time' }),
});
export type UploadPlan = Static<typeof UploadPlanSchema>;

/** `jobs/<jobId>/spec.json`: written once by the API when it hands out an upload or creates a job. */
export const JobSpecSchema = Type.Object({
  schemaVersion: Type.Literal(1),
  jobId: JobIdSchema,
  createdAt: Type.String({ format: 'date-time' }),
  source: Type.Object({
    key: Type.String({ minLength: 1 }),
    filename: Type.Optional(Type.String()),
    contentType: Type.Optional(Type.String()),
    size: Type.Optional(Type.Integer({ minimum: 0 })),
  }),
  presets: Type.Optional(Type.Array(PresetNameSchema, { uniqueItems: true, maxItems: 6 })),
  webhookUrl: Type.Optional(Type.String({ format: 'uri' })),
  /** Set when the source comes through an upload the API handed out. */
  upload: Type.Optional(UploadPlanSchema),
  /** Who asked for the job (an API key id, never the key). */
  owner: Type.Optional(Type.String()),
});
export type JobSpec = Static<typeof JobSpecSchema>;

export const JobStateSchema = Type.Union([
  Type.Literal('awaiting_upload'),
  Type.Literal('queued'),
  Type.Literal('processing'),
  Type.Literal('succeeded'),
  Type.Literal('failed'),
]);
export type JobState = Static<typeof JobStateSchema>;
export const TERMINAL_STATES: readonly JobState[] = ['succeeded', 'failed'];

export const JobOutputSchema = Type.Object({
  preset: PresetNameSchema,
  /** What the file is: mp4, hls-master, hls-playlist, hls-segment, poster, sprite, vtt, image, audio, peaks. */
  kind: Type.String(),
  key: Type.String(),
  contentType: Type.String(),
  size: Type.Integer({ minimum: 0 }),
  width: Type.Optional(Type.Integer()),
  height: Type.Optional(Type.Integer()),
  durationSeconds: Type.Optional(Type.Number()),
});
export type JobOutput = Static<typeof JobOutputSchema>;

export const JobErrorSchema = Type.Object({
  code: Type.String(),
  message: Type.String(),
  /** True when retrying cannot help (bad or hostile media, exhausted retries). */
  permanent: Type.Boolean(),
});
export type JobError = Static<typeof JobErrorSchema>;

export const WebhookDeliverySchema = Type.Object({
  event: Type.String(),
  attempt: Type.Integer({ minimum: 1 }),
  at: Type.String({ format: 'date-time' }),
  ok: Type.Boolean(),
  statusCode: Type.Optional(Type.Integer()),
  error: Type.Optional(Type.String()),
});
export type WebhookDelivery = Static<typeof WebhookDeliverySchema>;

export const JobProgressSchema = Type.Object({
  percent: Type.Number({ minimum: 0, maximum: 100 }),
  stage: Type.String({
    description:
      'downloading, probing, transcoding, uploading; `done` (with percent 100) only once the job succeeded',
  }),
  preset: Type.Optional(PresetNameSchema),
  etaSeconds: Type.Optional(Type.Number()),
  fps: Type.Optional(Type.Number()),
  speed: Type.Optional(Type.Number()),
});
export type JobProgress = Static<typeof JobProgressSchema>;

/** `jobs/<jobId>/status.json`: written only by the worker (and the reconciler), read by the API. */
export const JobStatusSchema = Type.Object({
  schemaVersion: Type.Literal(1),
  jobId: JobIdSchema,
  state: JobStateSchema,
  source: Type.Object({
    bucket: Type.String(),
    key: Type.String(),
    etag: Type.Optional(Type.String()),
    size: Type.Optional(Type.Integer({ minimum: 0 })),
  }),
  /** How many times a worker has started this job (SQS ApproximateReceiveCount of the last start). */
  attempts: Type.Integer({ minimum: 0 }),
  progress: Type.Optional(JobProgressSchema),
  probe: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  outputs: Type.Array(JobOutputSchema),
  error: Type.Optional(JobErrorSchema),
  timings: Type.Object({
    queuedAt: Type.Optional(Type.String({ format: 'date-time' })),
    startedAt: Type.Optional(Type.String({ format: 'date-time' })),
    finishedAt: Type.Optional(Type.String({ format: 'date-time' })),
    downloadMs: Type.Optional(Type.Number()),
    processMs: Type.Optional(Type.Number()),
    uploadMs: Type.Optional(Type.Number()),
  }),
  /**
   * When every HLS rung of the current attempt had its first checked segment stored: from then on the
   * job's playback answers while it is `processing`. Cleared when an attempt ends without success.
   */
  playableAt: Type.Optional(Type.String({ format: 'date-time' })),
  /**
   * The HLS ladder published while it is encoded. Each attempt writes under its own prefix
   * (`outputs/<jobId>/hls-<attempt>/`), so a retry never serves other bytes under a URI a player knows.
   */
  live: Type.Optional(
    Type.Object({
      attempt: Type.String({ pattern: '^[a-z0-9]{1,32}$' }),
      /** Key of the master playlist (the playback route serves it while `processing`). */
      masterKey: Type.String(),
    }),
  ),
  /** The worker that holds the job and when it last reported; the reconciler reads it. */
  worker: Type.Optional(
    Type.Object({
      id: Type.String(),
      heartbeatAt: Type.String({ format: 'date-time' }),
      /** The SQS message the worker runs the job for: a redelivery of it means the holder lost the job. */
      messageId: Type.Optional(Type.String()),
    }),
  ),
  /** The ffmpeg the job ran with and its isolation (`none`: unsandboxed; `warning` says why). */
  ffmpeg: Type.Optional(
    Type.Object({
      build: Type.String(),
      version: Type.Optional(Type.String()),
      isolation: Type.String(),
      warning: Type.Optional(Type.String()),
    }),
  ),
  /** Times the reconciler re-enqueued this job. */
  reenqueued: Type.Optional(Type.Integer({ minimum: 0 })),
  webhookDeliveries: Type.Optional(Type.Array(WebhookDeliverySchema)),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type JobStatus = Static<typeof JobStatusSchema>;
