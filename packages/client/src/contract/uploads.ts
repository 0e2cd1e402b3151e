import { type Static, Type } from 'typebox';
import { ContentTypeSchema, Mp4ModeSchema, PresetsSchema, SizeSchema, WebhookUrlSchema } from './common.ts';
import { JobIdSchema } from './job.ts';

/** TypeBox schema of the path parameter `id` (a job id) of the routes under `/v1/jobs` and `/v1/uploads`. */
export const JobIdParamsSchema = Type.Object({ id: JobIdSchema });

/** TypeBox schema of {@link CreateUploadBody}: the body of `POST /v1/uploads`. */
export const CreateUploadBodySchema = Type.Object(
  {
    filename: Type.String({ minLength: 1, maxLength: 1024 }),
    contentType: ContentTypeSchema,
    size: SizeSchema,
    presets: Type.Optional(PresetsSchema),
    webhookUrl: Type.Optional(WebhookUrlSchema),
    mp4: Type.Optional(Mp4ModeSchema),
  },
  { additionalProperties: false },
);
/** Body of `POST /v1/uploads`: the file's name, type and size, presets, webhook and MP4 mode. */
export type CreateUploadBody = Static<typeof CreateUploadBodySchema>;

/** TypeBox schema of {@link PartUrl}: the presigned PUT URL of one part of a multipart upload. */
export const PartUrlSchema = Type.Object({
  partNumber: Type.Integer({ minimum: 1, maximum: 10000 }),
  size: Type.Integer({ minimum: 0, description: 'Exact bytes to PUT (signed as Content-Length)' }),
  url: Type.String({ description: 'Presigned PUT URL of this part' }),
});
/** A presigned PUT URL of one part and the exact bytes it takes. */
export type PartUrl = Static<typeof PartUrlSchema>;

/** TypeBox schema of an upload by one presigned PUT (`method: 'put'`), one kind of {@link Upload}. */
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
/**
 * TypeBox schema of a multipart upload with a presigned URL per part (`method: 'multipart'`), one of the two
 * kinds of {@link Upload}.
 */
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
/** TypeBox schema of {@link Upload}: the answer of `POST /v1/uploads`. */
export const UploadSchema = Type.Union([SingleUploadSchema, MultipartUploadSchema], { title: 'Upload' });
/** A created upload: one presigned PUT (`method: 'put'`) or a multipart upload with a URL per part. */
export type Upload = Static<typeof UploadSchema>;

/** TypeBox schema of a part the storage already has (number, ETag, size) in {@link UploadParts}. */
export const UploadedPartSchema = Type.Object({
  partNumber: Type.Integer({ minimum: 1 }),
  etag: Type.String(),
  size: Type.Integer({ minimum: 0 }),
});

/** TypeBox schema of {@link UploadParts}: the answer of `GET /v1/uploads/{id}/parts`. */
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
/** The state of a multipart upload: parts the storage has and fresh URLs for the others. */
export type UploadParts = Static<typeof UploadPartsSchema>;

/** TypeBox schema of {@link CompleteUploadBody}: the body of `POST /v1/uploads/{id}/complete`. */
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
/** Body of `POST /v1/uploads/{id}/complete`: the parts' ETags (multipart; omitted: those the storage lists). */
export type CompleteUploadBody = Static<typeof CompleteUploadBodySchema>;
