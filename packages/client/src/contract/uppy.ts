import { Type } from 'typebox';
import { ContentTypeSchema, SizeSchema } from './common.ts';
import { JobIdSchema } from './job.ts';

// Uppy `@uppy/aws-s3` (companion S3 routes).
const UppyKeyQuerySchema = Type.Object({ key: Type.String({ minLength: 1, maxLength: 1024 }) });
/**
 * TypeBox schema of the `key` query parameter (the upload's object key) of the Uppy routes under
 * `/s3/multipart/{uploadId}`.
 */
export const UppyKeyQuery = UppyKeyQuerySchema;
/** TypeBox schema of the query of `GET /s3/params` (Uppy, single PUT): file name, type and size. */
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
/**
 * TypeBox schema of the answer of `GET /s3/params`: the presigned PUT URL and its headers, the object key and
 * the job id.
 */
export const UppyParamsResponseSchema = Type.Object({
  method: Type.Literal('PUT'),
  url: Type.String(),
  fields: Type.Object({}),
  headers: Type.Record(Type.String(), Type.String()),
  expires: Type.Integer(),
  key: Type.String(),
  jobId: JobIdSchema,
});
/**
 * TypeBox schema of the body of `POST /s3/multipart` (Uppy creates a multipart upload): file name, type and
 * metadata.
 */
export const UppyCreateMultipartBodySchema = Type.Object({
  filename: Type.String({ minLength: 1, maxLength: 1024 }),
  type: ContentTypeSchema,
  metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});
/** TypeBox schema of the answer of `POST /s3/multipart`: object key, upload id, bucket and job id. */
export const UppyCreateMultipartResponseSchema = Type.Object({
  key: Type.String(),
  uploadId: Type.String(),
  bucket: Type.String(),
  jobId: JobIdSchema,
});
/** TypeBox schema of the path parameter `uploadId` of the Uppy routes under `/s3/multipart/{uploadId}`. */
export const UppyUploadIdParamsSchema = Type.Object({
  uploadId: Type.String({ minLength: 1, maxLength: 1024 }),
});
/**
 * TypeBox schema of the path parameters of `GET /s3/multipart/{uploadId}/{partNumber}`: the upload id and a
 * part number (1–10000).
 */
export const UppyPartParamsSchema = Type.Object({
  uploadId: Type.String({ minLength: 1, maxLength: 1024 }),
  partNumber: Type.Integer({ minimum: 1, maximum: 10000 }),
});
/**
 * TypeBox schema of the answer of `GET /s3/multipart/{uploadId}`: the parts uploaded so far (`PartNumber`,
 * `ETag`, `Size`).
 */
export const UppyPartsSchema = Type.Array(
  Type.Object({ PartNumber: Type.Integer(), ETag: Type.String(), Size: Type.Integer() }),
);
/**
 * TypeBox schema of the query of `GET /s3/multipart/{uploadId}/batch`: the object key and up to 100
 * comma-separated part numbers.
 */
export const UppyBatchQuerySchema = Type.Object({
  key: Type.String({ minLength: 1, maxLength: 1024 }),
  partNumbers: Type.String({ pattern: '^[1-9][0-9]{0,4}(,[1-9][0-9]{0,4}){0,99}$' }),
});
/** TypeBox schema of the answer of `GET /s3/multipart/{uploadId}/batch`: a presigned PUT URL per part. */
export const UppyBatchResponseSchema = Type.Object({
  presignedUrls: Type.Record(Type.String(), Type.String()),
});
/**
 * TypeBox schema of the answer of `GET /s3/multipart/{uploadId}/{partNumber}`: the part's presigned PUT URL
 * and its lifetime in seconds.
 */
export const UppySignedPartSchema = Type.Object({ url: Type.String(), expires: Type.Integer() });
/**
 * TypeBox schema of the body of `POST /s3/multipart/{uploadId}/complete`: the `PartNumber` and `ETag` of
 * every part.
 */
export const UppyCompleteBodySchema = Type.Object({
  parts: Type.Array(
    Type.Object({
      PartNumber: Type.Integer({ minimum: 1, maximum: 10000 }),
      ETag: Type.String({ minLength: 1, maxLength: 256 }),
    }),
    { minItems: 1, maxItems: 10000 },
  ),
});
/**
 * TypeBox schema of the answer of `POST /s3/multipart/{uploadId}/complete`: the object's location, key,
 * bucket and job id.
 */
export const UppyCompleteResponseSchema = Type.Object({
  location: Type.String(),
  key: Type.String(),
  bucket: Type.String(),
  jobId: JobIdSchema,
});
