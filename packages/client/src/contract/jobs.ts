import { type Static, Type } from 'typebox';
import { Mp4ModeSchema, PresetsSchema, WebhookUrlSchema } from './common.ts';
import {
  JOB_ID_PATTERN,
  JobErrorSchema,
  JobIdSchema,
  JobOutputSchema,
  JobProgressSchema,
  JobStateSchema,
  JobTimingsSchema,
  PresetNameSchema,
  WebhookDeliverySchema,
} from './job.ts';

/** TypeBox schema of {@link CreateJobBody}: the body of `POST /v1/jobs`. */
export const CreateJobBodySchema = Type.Object(
  {
    key: Type.String({
      minLength: 1,
      maxLength: 1024,
      pattern: '^[^\\u0000-\\u001F\\u007F]+$',
      description:
        'Key of an object already in the bucket (no control characters; each /-separated part at most 255 bytes)',
    }),
    presets: Type.Optional(PresetsSchema),
    webhookUrl: Type.Optional(WebhookUrlSchema),
    mp4: Type.Optional(Mp4ModeSchema),
  },
  { additionalProperties: false },
);
/** Body of `POST /v1/jobs`: the key of an object already in the bucket, presets, webhook and MP4 mode. */
export type CreateJobBody = Static<typeof CreateJobBodySchema>;

/** TypeBox schema of {@link JobOutputView}: a job output with its presigned GET link. */
export const JobOutputViewSchema = Type.Object({
  ...JobOutputSchema.properties,
  url: Type.String({ description: 'Presigned GET link' }),
  urlExpiresAt: Type.String({ format: 'date-time' }),
});
/** A {@link JobOutput} with a presigned GET link and when it expires. */
export type JobOutputView = Static<typeof JobOutputViewSchema>;

/** TypeBox schema of {@link JobView}: a job as the API answers it (e.g. `GET /v1/jobs/{id}`). */
export const JobViewSchema = Type.Object(
  {
    id: JobIdSchema,
    state: JobStateSchema,
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    source: Type.Object({
      key: Type.String(),
      filename: Type.Optional(Type.String()),
      contentType: Type.Optional(Type.String()),
      size: Type.Optional(Type.Integer({ minimum: 0 })),
      etag: Type.Optional(Type.String()),
    }),
    presets: Type.Optional(Type.Array(PresetNameSchema)),
    webhookUrl: Type.Optional(Type.String()),
    mp4: Type.Optional(Mp4ModeSchema),
    attempts: Type.Integer({ minimum: 0 }),
    progress: Type.Optional(JobProgressSchema),
    probe: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    outputs: Type.Array(JobOutputViewSchema),
    error: Type.Optional(JobErrorSchema),
    timings: Type.Optional(JobTimingsSchema),
    playableAt: Type.Optional(
      Type.String({
        format: 'date-time',
        description:
          'When the HLS ladder became playable while the job is still processing (every rung has its first segment)',
      }),
    ),
    webhookDeliveries: Type.Optional(Type.Array(WebhookDeliverySchema)),
  },
  { title: 'Job' },
);
/** A job as the API shows it: state, source, progress, outputs with links, error, timings. */
export type JobView = Static<typeof JobViewSchema>;

/** TypeBox schema of {@link ListJobsQuery}: the query of `GET /v1/jobs`. */
export const ListJobsQuerySchema = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  cursor: Type.Optional(
    Type.String({ pattern: JOB_ID_PATTERN, description: 'nextCursor of the previous page' }),
  ),
});
/** Query of `GET /v1/jobs`: `limit` (1–100, default 20) and the `cursor` of the next page. */
export type ListJobsQuery = Static<typeof ListJobsQuerySchema>;

/** TypeBox schema of {@link JobList}: the answer of `GET /v1/jobs`. */
export const JobListSchema = Type.Object(
  {
    items: Type.Array(JobViewSchema),
    nextCursor: Type.Optional(Type.String({ description: 'Pass as `cursor` for the next page' })),
  },
  { title: 'JobList' },
);
/** One page of jobs, newest first, and the cursor of the next page when there is one. */
export type JobList = Static<typeof JobListSchema>;

/** TypeBox schema of {@link DeleteJobQuery}: the query of `DELETE /v1/jobs/{id}`. */
export const DeleteJobQuerySchema = Type.Object({
  force: Type.Optional(Type.Boolean({ description: 'Delete even while a worker is processing the job' })),
});
/** Query of `DELETE /v1/jobs/{id}`: `force` deletes even while a worker processes the job. */
export type DeleteJobQuery = Static<typeof DeleteJobQuerySchema>;

/** One Server-Sent Event of `GET /v1/jobs/{id}/events`; `data` is JSON text. */
export const SseEventSchema = Type.Object(
  {
    id: Type.Optional(Type.String()),
    event: Type.Union([
      Type.Literal('state'),
      Type.Literal('progress'),
      Type.Literal('end'),
      Type.Literal('error'),
    ]),
    data: Type.String({
      contentMediaType: 'application/json',
      description: 'state: the job; progress: {state, progress, playableAt?}; end: {state}; error: {detail}',
    }),
  },
  { title: 'JobEvent' },
);

/** One event of `GET /v1/jobs/{id}/events`, its `data` parsed. */
export type JobEvent =
  | { event: 'state'; id?: string | undefined; data: JobView }
  | {
      event: 'progress';
      id?: string | undefined;
      data: {
        state: JobView['state'];
        progress: NonNullable<JobView['progress']>;
        playableAt?: string | undefined;
      };
    }
  | { event: 'end'; id?: string | undefined; data: { state: JobView['state'] } }
  | { event: 'error'; id?: string | undefined; data: { detail: string } };
