import {
  JOB_ID_PATTERN,
  JobErrorSchema,
  JobIdSchema,
  JobOutputSchema,
  JobProgressSchema,
  JobStateSchema,
  JobStatusSchema,
  PresetNameSchema,
  WebhookDeliverySchema,
} from '@media-server/jobs';
import { type Static, type TSchema, Type } from 'typebox';

/**
 * The API's request and response schemas: one source for validation, the TypeScript types of the
 * handlers, and the OpenAPI document. Job documents come from `@media-server/jobs`, so the API and
 * the worker agree on them.
 */

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** RFC 9457 problem details. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: 'A URI reference naming the kind of problem' }),
    title: Type.String(),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    detail: Type.Optional(Type.String({ description: 'What went wrong, for a human' })),
    instance: Type.Optional(Type.String()),
    code: Type.Optional(Type.String({ description: 'Machine-readable error code' })),
    errors: Type.Optional(
      Type.Array(Type.Object({ path: Type.String(), message: Type.String() }), {
        description: 'One entry per invalid value',
      }),
    ),
  },
  { title: 'Problem' },
);
export type Problem = Static<typeof ProblemSchema>;

/** The fallback response of every route: any error, as problem+json. */
export const problemResponse = {
  description: 'Error (RFC 9457 problem details)',
  content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } },
};

export function json<T extends TSchema>(description: string, schema: T) {
  return { description, content: { 'application/json': { schema } } };
}

const ContentTypeSchema = Type.String({
  minLength: 3,
  maxLength: 255,
  pattern: '^[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+$',
  description: 'MIME type of the file, e.g. video/mp4',
});
const WebhookUrlSchema = Type.String({
  format: 'uri',
  pattern: '^https?://',
  maxLength: 2048,
  description:
    'Receives a signed POST on every state change (see the README: X-Signature, HMAC-SHA256 over timestamp and body)',
});
const PresetsSchema = Type.Array(PresetNameSchema, {
  uniqueItems: true,
  minItems: 1,
  maxItems: 6,
  description: 'Processing to run; omitted: the worker picks what fits the media',
});
const SizeSchema = Type.Integer({ minimum: 0, maximum: 5 * 1024 ** 4, description: 'Bytes' });

export const JobIdParamsSchema = Type.Object({ id: JobIdSchema });

export const CreateUploadBodySchema = Type.Object(
  {
    filename: Type.String({ minLength: 1, maxLength: 1024 }),
    contentType: ContentTypeSchema,
    size: SizeSchema,
    presets: Type.Optional(PresetsSchema),
    webhookUrl: Type.Optional(WebhookUrlSchema),
  },
  { additionalProperties: false },
);
export type CreateUploadBody = Static<typeof CreateUploadBodySchema>;

export const PartUrlSchema = Type.Object({
  partNumber: Type.Integer({ minimum: 1, maximum: 10000 }),
  size: Type.Integer({ minimum: 0, description: 'Exact bytes to PUT (signed as Content-Length)' }),
  url: Type.String({ description: 'Presigned PUT URL of this part' }),
});
export type PartUrl = Static<typeof PartUrlSchema>;

export const SingleUploadSchema = Type.Object(
  {
    id: JobIdSchema,
    key: Type.String({ description: 'Object key the upload creates' }),
    expiresAt: Type.String({ format: 'date-time' }),
    method: Type.Literal('put'),
    url: Type.String({ description: 'Presigned PUT URL' }),
    headers: Type.Record(Type.String(), Type.String(), {
      description: 'Headers the PUT must carry exactly (they are signed)',
    }),
  },
  { title: 'SingleUpload' },
);
export const MultipartUploadSchema = Type.Object(
  {
    id: JobIdSchema,
    key: Type.String(),
    expiresAt: Type.String({ format: 'date-time' }),
    method: Type.Literal('multipart'),
    uploadId: Type.String(),
    partSize: Type.Integer({ minimum: 1 }),
    partCount: Type.Integer({ minimum: 1 }),
    parts: Type.Array(PartUrlSchema),
  },
  { title: 'MultipartUpload' },
);
export const UploadSchema = Type.Union([SingleUploadSchema, MultipartUploadSchema], { title: 'Upload' });
export type Upload = Static<typeof UploadSchema>;

export const UploadedPartSchema = Type.Object({
  partNumber: Type.Integer({ minimum: 1 }),
  etag: Type.String(),
  size: Type.Integer({ minimum: 0 }),
});

export const UploadPartsSchema = Type.Object(
  {
    id: JobIdSchema,
    key: Type.String(),
    uploadId: Type.String(),
    partSize: Type.Integer({ minimum: 1 }),
    partCount: Type.Integer({ minimum: 1 }),
    expiresAt: Type.String({ format: 'date-time' }),
    listed: Type.Boolean({
      description:
        'False when the storage cannot list parts (the S3 emulator of local-aws): then every part gets a fresh URL and the client completes with the ETags it kept',
    }),
    uploadedParts: Type.Array(UploadedPartSchema),
    parts: Type.Array(PartUrlSchema, { description: 'Fresh URLs for the parts not uploaded yet' }),
  },
  { title: 'UploadParts' },
);
export type UploadParts = Static<typeof UploadPartsSchema>;

export const CompleteUploadBodySchema = Type.Object(
  {
    parts: Type.Optional(
      Type.Array(
        Type.Object(
          {
            partNumber: Type.Integer({ minimum: 1, maximum: 10000 }),
            etag: Type.String({ minLength: 1, maxLength: 256 }),
          },
          { additionalProperties: false },
        ),
        {
          minItems: 1,
          maxItems: 10000,
          description: 'Multipart only; omitted: the parts the storage lists',
        },
      ),
    ),
  },
  { additionalProperties: false },
);
export type CompleteUploadBody = Static<typeof CompleteUploadBodySchema>;

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
  },
  { additionalProperties: false },
);
export type CreateJobBody = Static<typeof CreateJobBodySchema>;

export const JobOutputViewSchema = Type.Object({
  ...JobOutputSchema.properties,
  url: Type.String({ description: 'Presigned GET link' }),
  urlExpiresAt: Type.String({ format: 'date-time' }),
});
export type JobOutputView = Static<typeof JobOutputViewSchema>;

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
    attempts: Type.Integer({ minimum: 0 }),
    progress: Type.Optional(JobProgressSchema),
    probe: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    outputs: Type.Array(JobOutputViewSchema),
    error: Type.Optional(JobErrorSchema),
    timings: Type.Optional(JobStatusSchema.properties.timings),
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
export type JobView = Static<typeof JobViewSchema>;

export const ListJobsQuerySchema = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  cursor: Type.Optional(
    Type.String({ pattern: JOB_ID_PATTERN, description: 'nextCursor of the previous page' }),
  ),
});
export const JobListSchema = Type.Object(
  {
    items: Type.Array(JobViewSchema),
    nextCursor: Type.Optional(Type.String({ description: 'Pass as `cursor` for the next page' })),
  },
  { title: 'JobList' },
);

export const DeleteJobQuerySchema = Type.Object({
  force: Type.Optional(Type.Boolean({ description: 'Delete even while a worker is processing the job' })),
});

export const IdempotencyHeaderSchema = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      description: 'Same key and same body: the first answer again; same key, other body: 422',
    }),
  ),
});

export const LegacyBodySchema = Type.Union([
  Type.Object({
    filename: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
    contentType: Type.Optional(ContentTypeSchema),
    size: Type.Optional(SizeSchema),
  }),
  Type.Null(),
]);
export const LegacyResponseSchema = Type.Object(
  {
    isSuccess: Type.Literal(true),
    preSignedUrl: Type.String(),
    jobId: JobIdSchema,
    key: Type.String(),
  },
  { title: 'LegacyPreSignedUrl' },
);

/** One Server-Sent Event of GET /v1/jobs/{id}/events; `data` is JSON text. */
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
      description: 'state: the job; progress: {state, progress}; end: {state}; error: {detail}',
    }),
  },
  { title: 'JobEvent' },
);

export const HealthSchema = Type.Object({ status: Type.Literal('ok') });
const CheckSchema = Type.Object({ ok: Type.Boolean(), error: Type.Optional(Type.String()) });
export const ReadinessSchema = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('unready')]),
  checks: Type.Object({ s3: CheckSchema, sqs: CheckSchema }),
});

// Uppy `@uppy/aws-s3` (companion S3 routes).
const UppyKeyQuerySchema = Type.Object({ key: Type.String({ minLength: 1, maxLength: 1024 }) });
export const UppyKeyQuery = UppyKeyQuerySchema;
export const UppyParamsQuerySchema = Type.Object(
  {
    filename: Type.String({ minLength: 1, maxLength: 1024 }),
    type: ContentTypeSchema,
    size: Type.Optional(SizeSchema),
    'metadata[size]': Type.Optional(
      Type.String({ pattern: '^[0-9]{1,16}$', description: 'Bytes (Uppy file meta)' }),
    ),
  },
  { additionalProperties: true },
);
export const UppyParamsResponseSchema = Type.Object({
  method: Type.Literal('PUT'),
  url: Type.String(),
  fields: Type.Object({}),
  headers: Type.Record(Type.String(), Type.String()),
  expires: Type.Integer(),
  key: Type.String(),
  jobId: JobIdSchema,
});
export const UppyCreateMultipartBodySchema = Type.Object({
  filename: Type.String({ minLength: 1, maxLength: 1024 }),
  type: ContentTypeSchema,
  metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});
export const UppyCreateMultipartResponseSchema = Type.Object({
  key: Type.String(),
  uploadId: Type.String(),
  bucket: Type.String(),
  jobId: JobIdSchema,
});
export const UppyUploadIdParamsSchema = Type.Object({
  uploadId: Type.String({ minLength: 1, maxLength: 1024 }),
});
export const UppyPartParamsSchema = Type.Object({
  uploadId: Type.String({ minLength: 1, maxLength: 1024 }),
  partNumber: Type.Integer({ minimum: 1, maximum: 10000 }),
});
export const UppyPartsSchema = Type.Array(
  Type.Object({ PartNumber: Type.Integer(), ETag: Type.String(), Size: Type.Integer() }),
);
export const UppyBatchQuerySchema = Type.Object({
  key: Type.String({ minLength: 1, maxLength: 1024 }),
  partNumbers: Type.String({ pattern: '^[1-9][0-9]{0,4}(,[1-9][0-9]{0,4}){0,99}$' }),
});
export const UppyBatchResponseSchema = Type.Object({
  presignedUrls: Type.Record(Type.String(), Type.String()),
});
export const UppySignedPartSchema = Type.Object({ url: Type.String(), expires: Type.Integer() });
export const UppyCompleteBodySchema = Type.Object({
  parts: Type.Array(
    Type.Object({
      PartNumber: Type.Integer({ minimum: 1, maximum: 10000 }),
      ETag: Type.String({ minLength: 1, maxLength: 256 }),
    }),
    { minItems: 1, maxItems: 10000 },
  ),
});
export const UppyCompleteResponseSchema = Type.Object({
  location: Type.String(),
  key: Type.String(),
  bucket: Type.String(),
  jobId: JobIdSchema,
});
