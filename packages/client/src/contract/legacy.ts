import { Type } from 'typebox';
import { ContentTypeSchema, SizeSchema } from './common.ts';
import { JobIdSchema } from './job.ts';

/** The original `POST /api/v1/video/pre-signed-url` (deprecated). */
export const LegacyBodySchema = Type.Union([
  Type.Object({
    filename: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
    contentType: Type.Optional(ContentTypeSchema),
    size: Type.Optional(SizeSchema),
  }),
  Type.Null(),
]);
/**
 * TypeBox schema of the 201 answer of the deprecated `POST /api/v1/video/pre-signed-url`: a presigned PUT
 * URL, the job id and the object key.
 */
export const LegacyResponseSchema = Type.Object(
  {
    isSuccess: Type.Literal(true),
    preSignedUrl: Type.String(),
    jobId: JobIdSchema,
    key: Type.String(),
  },
  { title: 'LegacyPreSignedUrl' },
);
