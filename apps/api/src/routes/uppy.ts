import { UploadPartCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { type JobSpec, jobIdFromUploadKey } from '@media-server/jobs';
import { Type } from 'typebox';
import type { RouteFlags } from '../app.ts';
import type { AppContext } from '../context.ts';
import { ApiError, NotFoundError } from '../errors.ts';
import {
  json,
  problemResponse,
  UppyBatchQuerySchema,
  UppyBatchResponseSchema,
  UppyCompleteBodySchema,
  UppyCompleteResponseSchema,
  UppyCreateMultipartBodySchema,
  UppyCreateMultipartResponseSchema,
  UppyKeyQuery,
  UppyParamsQuerySchema,
  UppyParamsResponseSchema,
  UppyPartParamsSchema,
  UppyPartsSchema,
  UppySignedPartSchema,
  UppyUploadIdParamsSchema,
} from '../schemas.ts';
import { type Caller, mayAccess } from '../tenancy.ts';
import type { TypedApp } from '../typed-app.ts';
import {
  abortMultipart,
  checkUploadLimits,
  completeMultipart,
  createUpload,
  listUploadedParts,
} from '../upload-service.ts';

/**
 * The S3 routes of Uppy's Companion, so `@uppy/aws-s3` with `endpoint: '<api>'` uploads here
 * unchanged (pass the API key with its `headers` option). Every upload is a job, as with
 * POST /v1/uploads; the key and upload id a client sends must be one this API handed out.
 */
export function registerUppyRoutes(app: TypedApp, ctx: AppContext): void {
  const tags = ['uppy'];
  const ttl = ctx.config.uploads.urlTtlSeconds;

  /** The spec of the multipart upload `uploadId` of `key`, or 404. */
  async function multipartSpec(key: string, uploadId: string, caller: Caller | undefined): Promise<JobSpec> {
    const jobId = jobIdFromUploadKey(key);
    const spec = jobId === undefined ? undefined : await ctx.store.readSpec(jobId);
    if (
      spec === undefined ||
      spec.source.key !== key ||
      spec.upload?.multipartUploadId !== uploadId ||
      !mayAccess(caller, spec)
    ) {
      throw new NotFoundError(`multipart upload ${uploadId} of ${key}`);
    }
    return spec;
  }

  app.get(
    '/s3/params',
    {
      schema: {
        tags,
        operationId: 'uppyUploadParameters',
        summary: 'Uppy: parameters of a single presigned PUT',
        description:
          'Needs the file size (`size` or `metadata[size]`, e.g. `uppy.setFileMeta(id, { size: file.size })`): it is signed as Content-Length.',
        querystring: UppyParamsQuerySchema,
        response: { 200: json('Upload parameters', UppyParamsResponseSchema), default: problemResponse },
      },
    },
    async (request) => {
      const query = request.query;
      const metaSize = query['metadata[size]'];
      const size = query.size ?? (metaSize === undefined ? undefined : Number(metaSize));
      if (size === undefined) {
        throw new ApiError(
          'BAD_REQUEST',
          'the file size is needed to sign Content-Length: add it to the file meta (metadata[size]) or the query (size)',
        );
      }
      await ctx.uploadLimit.take(request.apiKeyId ?? '');
      const { upload } = await createUpload(ctx, {
        filename: query.filename,
        contentType: query.type,
        size,
        owner: request.apiKeyId ?? '',
        method: 'put',
      });
      if (upload.method !== 'put') throw new Error('expected a single upload');
      return {
        method: 'PUT' as const,
        url: upload.url,
        fields: {},
        headers: upload.headers,
        expires: ttl,
        key: upload.key,
        jobId: upload.id,
      };
    },
  );

  app.post(
    '/s3/multipart',
    {
      config: { idempotent: true } satisfies RouteFlags,
      schema: {
        tags,
        operationId: 'uppyCreateMultipartUpload',
        summary: 'Uppy: create a multipart upload',
        body: UppyCreateMultipartBodySchema,
        response: {
          200: json('Multipart upload', UppyCreateMultipartResponseSchema),
          default: problemResponse,
        },
      },
    },
    async (request) => {
      const { filename, type, metadata } = request.body;
      const declared = Number(metadata?.size);
      const size = Number.isSafeInteger(declared) && declared >= 0 ? declared : undefined;
      if (size !== undefined) checkUploadLimits(ctx.config.uploads, type, size);
      await ctx.uploadLimit.take(request.apiKeyId ?? '');
      // Uppy picks its own part sizes, so no part plan is kept: parts are signed one by one.
      const { upload } = await createUpload(ctx, {
        filename,
        contentType: type,
        size: undefined,
        owner: request.apiKeyId ?? '',
        method: 'multipart',
      });
      if (upload.method !== 'multipart') throw new Error('expected a multipart upload');
      return { key: upload.key, uploadId: upload.uploadId, bucket: ctx.bucket, jobId: upload.id };
    },
  );

  app.get(
    '/s3/multipart/:uploadId',
    {
      schema: {
        tags,
        operationId: 'uppyListParts',
        summary: 'Uppy: parts uploaded so far',
        description:
          'Empty when the storage cannot list parts (local-aws): Uppy then uploads every part again.',
        params: UppyUploadIdParamsSchema,
        querystring: UppyKeyQuery,
        response: { 200: json('Parts', UppyPartsSchema), default: problemResponse },
      },
    },
    async (request) => {
      const { uploadId } = request.params;
      await multipartSpec(request.query.key, uploadId, request.caller);
      const listed = await listUploadedParts(ctx, request.query.key, uploadId);
      return listed.parts.map((part) => ({ PartNumber: part.partNumber, ETag: part.etag, Size: part.size }));
    },
  );

  const signPart = async (key: string, uploadId: string, partNumber: number): Promise<string> =>
    getSignedUrl(
      ctx.presigner,
      new UploadPartCommand({ Bucket: ctx.bucket, Key: key, UploadId: uploadId, PartNumber: partNumber }),
      {
        expiresIn: ttl,
      },
    );

  app.get(
    '/s3/multipart/:uploadId/batch',
    {
      schema: {
        tags,
        operationId: 'uppySignParts',
        summary: 'Uppy: presigned URLs for several parts',
        params: UppyUploadIdParamsSchema,
        querystring: UppyBatchQuerySchema,
        response: { 200: json('Part URLs', UppyBatchResponseSchema), default: problemResponse },
      },
    },
    async (request) => {
      const { uploadId } = request.params;
      const { key, partNumbers } = request.query;
      await multipartSpec(key, uploadId, request.caller);
      const numbers = [...new Set(partNumbers.split(',').map(Number))];
      if (numbers.some((n) => n < 1 || n > 10000))
        throw new ApiError('BAD_REQUEST', 'part numbers are 1 to 10000');
      const presignedUrls: Record<string, string> = {};
      for (const partNumber of numbers)
        presignedUrls[String(partNumber)] = await signPart(key, uploadId, partNumber);
      return { presignedUrls };
    },
  );

  app.get(
    '/s3/multipart/:uploadId/:partNumber',
    {
      schema: {
        tags,
        operationId: 'uppySignPart',
        summary: 'Uppy: presigned URL for one part',
        params: UppyPartParamsSchema,
        querystring: UppyKeyQuery,
        response: { 200: json('Part URL', UppySignedPartSchema), default: problemResponse },
      },
    },
    async (request) => {
      const { uploadId, partNumber } = request.params;
      await multipartSpec(request.query.key, uploadId, request.caller);
      return { url: await signPart(request.query.key, uploadId, partNumber), expires: ttl };
    },
  );

  app.post(
    '/s3/multipart/:uploadId/complete',
    {
      config: { idempotent: true } satisfies RouteFlags,
      schema: {
        tags,
        operationId: 'uppyCompleteMultipartUpload',
        summary: 'Uppy: complete a multipart upload',
        params: UppyUploadIdParamsSchema,
        querystring: UppyKeyQuery,
        body: UppyCompleteBodySchema,
        response: { 200: json('Completed', UppyCompleteResponseSchema), default: problemResponse },
      },
    },
    async (request) => {
      const { uploadId } = request.params;
      const { key } = request.query;
      const spec = await multipartSpec(key, uploadId, request.caller);
      const done = await ctx.store.headSource(key);
      if (done === undefined) {
        const listed = await listUploadedParts(ctx, key, uploadId);
        const total = listed.parts.reduce((sum, part) => sum + part.size, 0);
        if (total > ctx.config.uploads.maxBytes) {
          await abortMultipart(ctx, key, uploadId);
          throw new ApiError(
            'UPLOAD_TOO_LARGE',
            `the parts add up to ${total} bytes, over the limit of ${ctx.config.uploads.maxBytes}`,
          );
        }
        await completeMultipart(
          ctx,
          key,
          uploadId,
          request.body.parts.map((part) => ({ partNumber: part.PartNumber, etag: part.ETag })),
        );
        const head = await ctx.store.headSource(key);
        if (head !== undefined && head.size > ctx.config.uploads.maxBytes) {
          // Storage that cannot list parts: the size is known only now. Remove the object and the job.
          await ctx.store.deleteJob(spec.jobId);
          throw new ApiError(
            'UPLOAD_TOO_LARGE',
            `the upload is ${head.size} bytes, over the limit of ${ctx.config.uploads.maxBytes}`,
          );
        }
      }
      const location = `${ctx.config.s3PublicEndpoint ?? ctx.config.aws.s3.endpoint ?? `https://${ctx.bucket}.s3.amazonaws.com`}`;
      return {
        location: `${location.replace(/\/$/, '')}/${ctx.bucket}/${encodeURI(key)}`,
        key,
        bucket: ctx.bucket,
        jobId: spec.jobId,
      };
    },
  );

  app.delete(
    '/s3/multipart/:uploadId',
    {
      schema: {
        tags,
        operationId: 'uppyAbortMultipartUpload',
        summary: 'Uppy: abort a multipart upload (its job is removed)',
        params: UppyUploadIdParamsSchema,
        querystring: UppyKeyQuery,
        response: { 200: json('Aborted', Type.Object({})), default: problemResponse },
      },
    },
    async (request) => {
      const { uploadId } = request.params;
      const spec = await multipartSpec(request.query.key, uploadId, request.caller);
      if ((await ctx.store.readStatus(spec.jobId)) !== undefined) {
        throw new ApiError('CONFLICT', 'the job has started: DELETE /v1/jobs/{id} removes it');
      }
      await abortMultipart(ctx, request.query.key, uploadId);
      await ctx.store.deleteJob(spec.jobId);
      return {};
    },
  );
}
