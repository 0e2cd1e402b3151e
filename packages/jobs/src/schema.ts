import {
  JobErrorSchema,
  JobIdSchema,
  JobOutputSchema,
  JobProgressSchema,
  JobStateSchema,
  JobTimingsSchema,
  Mp4ModeSchema,
  PresetNameSchema,
  WebhookDeliverySchema,
} from '@media-server/client/contract';
import { type Static, Type } from 'typebox';

// What clients see of a job (ids, states, outputs, progress, errors) is the API's contract, published with
// the client; the documents below, which only the apps read, are built from it.
export {
  type JobError,
  JobErrorSchema,
  JobIdSchema,
  type JobOutput,
  JobOutputSchema,
  type JobProgress,
  JobProgressSchema,
  type JobState,
  JobStateSchema,
  PRESET_NAMES,
  type PresetName,
  PresetNameSchema,
  TERMINAL_STATES,
  type WebhookDelivery,
  WebhookDeliverySchema,
} from '@media-server/client/contract';

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
  /**
   * How a video job with both `mp4` and `hls` makes the MP4: `'shared'` (default) is the top HLS rung
   * remuxed, from the same encode; `'separate'` is its own x264 `medium` CRF 23 encode (more CPU).
   */
  mp4: Type.Optional(Mp4ModeSchema),
  /** Set when the source comes through an upload the API handed out. */
  upload: Type.Optional(UploadPlanSchema),
  /** Who asked for the job (an API key id, never the key). */
  owner: Type.Optional(Type.String()),
});
export type JobSpec = Static<typeof JobSpecSchema>;

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
  timings: JobTimingsSchema,
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
