import { Type } from 'typebox';
import { ContentTypeSchema, SizeSchema } from './common.ts';
import { JobIdSchema } from './job.ts';

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
