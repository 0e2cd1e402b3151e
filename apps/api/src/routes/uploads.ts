import type { JobSpec } from '@media-server/jobs';
import type { RouteFlags } from '../app.ts';
import type { AppContext } from '../context.ts';
import { ApiError, NotFoundError } from '../errors.ts';
import { jobView } from '../job-view.ts';
import {
  CompleteUploadBodySchema,
  CreateUploadBodySchema,
  IdempotencyHeaderSchema,
  JobIdParamsSchema,
  JobViewSchema,
  json,
  problemResponse,
  UploadPartsSchema,
  UploadSchema,
} from '../schemas.ts';
import { type Caller, mayAccess } from '../tenancy.ts';
import type { TypedApp } from '../typed-app.ts';
import {
  abortMultipart,
  completeMultipart,
  createUpload,
  listUploadedParts,
  presignParts,
  range,
} from '../upload-service.ts';

/** The spec of an upload the API handed out to `caller` (or any, for an admin key), or NotFoundError. */
export async function loadUploadSpec(
  ctx: AppContext,
  jobId: string,
  caller: Caller | undefined,
): Promise<JobSpec> {
  const spec = await ctx.store.readSpec(jobId);
  if (spec?.upload === undefined || !mayAccess(caller, spec)) throw new NotFoundError(`upload ${jobId}`);
  return spec;
}

export function registerUploadRoutes(app: TypedApp, ctx: AppContext): void {
  app.post(
    '/v1/uploads',
    {
      config: { idempotent: true } satisfies RouteFlags,
      schema: {
        tags: ['uploads'],
        operationId: 'createUpload',
        summary: 'Create an upload (and its job)',
        description:
          'Below the multipart threshold: one presigned PUT whose Content-Type and Content-Length are signed. Above it: a multipart upload with a presigned URL per part; PUT every part, then POST /v1/uploads/{id}/complete. The job starts when the object exists.',
        headers: IdempotencyHeaderSchema,
        body: CreateUploadBodySchema,
        response: { 201: json('Upload created', UploadSchema), default: problemResponse },
      },
    },
    async (request, reply) => {
      await ctx.uploadLimit.take(request.apiKeyId ?? '');
      const { upload } = await createUpload(ctx, { ...request.body, owner: request.apiKeyId ?? '' });
      request.log.info({ jobId: upload.id, method: upload.method }, 'upload created');
      return reply.code(201).header('location', `/v1/jobs/${upload.id}`).send(upload);
    },
  );

  app.get(
    '/v1/uploads/:id/parts',
    {
      schema: {
        tags: ['uploads'],
        operationId: 'getUploadParts',
        summary: 'Resume a multipart upload: uploaded parts and fresh URLs for the rest',
        params: JobIdParamsSchema,
        response: { 200: json('Parts', UploadPartsSchema), default: problemResponse },
      },
    },
    async (request) => {
      const spec = await loadUploadSpec(ctx, request.params.id, request.caller);
      const plan = spec.upload;
      const uploadId = plan?.multipartUploadId;
      if (uploadId === undefined || plan?.partSize === undefined || plan.partCount === undefined) {
        throw new ApiError('CONFLICT', 'this upload is a single PUT; create a new upload to retry it');
      }
      if (
        (await ctx.store.readStatus(spec.jobId)) !== undefined ||
        (await ctx.store.headSource(spec.source.key))
      ) {
        throw new ApiError('CONFLICT', 'this upload is complete');
      }
      const listed = await listUploadedParts(ctx, spec.source.key, uploadId);
      const done = new Set(listed.parts.map((part) => part.partNumber));
      const missing = range(1, plan.partCount).filter((partNumber) => !done.has(partNumber));
      const expiresAt = new Date(Date.now() + ctx.config.uploads.urlTtlSeconds * 1000).toISOString();
      return {
        id: spec.jobId,
        key: spec.source.key,
        uploadId,
        partSize: plan.partSize,
        partCount: plan.partCount,
        expiresAt,
        listed: listed.listed,
        uploadedParts: listed.parts,
        parts: await presignParts(ctx, spec, missing),
      };
    },
  );

  app.post(
    '/v1/uploads/:id/complete',
    {
      config: { idempotent: true } satisfies RouteFlags,
      schema: {
        tags: ['uploads'],
        operationId: 'completeUpload',
        summary: 'Finish an upload',
        description:
          'Multipart: assembles the parts (from `parts`, or as the storage lists them). Single PUT: checks that the object arrived. Answers the job.',
        params: JobIdParamsSchema,
        headers: IdempotencyHeaderSchema,
        body: CompleteUploadBodySchema,
        response: { 200: json('The job', JobViewSchema), default: problemResponse },
      },
    },
    async (request) => {
      const spec = await loadUploadSpec(ctx, request.params.id, request.caller);
      const status = await ctx.store.readStatus(spec.jobId);
      const head = status === undefined ? await ctx.store.headSource(spec.source.key) : undefined;
      if (status !== undefined || head !== undefined) return jobView(ctx, { spec, status });
      const uploadId = spec.upload?.multipartUploadId;
      if (uploadId === undefined) {
        throw new ApiError('UPLOAD_NOT_RECEIVED', 'the file has not arrived: PUT it to the upload URL first');
      }
      let parts = request.body?.parts;
      if (parts === undefined) {
        const listed = await listUploadedParts(ctx, spec.source.key, uploadId);
        if (!listed.listed) {
          throw new ApiError(
            'UNPROCESSABLE',
            'this storage cannot list parts: send `parts` with the ETag of every part',
          );
        }
        parts = listed.parts;
      }
      const expected = spec.upload?.partCount;
      if (expected !== undefined && parts.length !== expected) {
        throw new ApiError('UNPROCESSABLE', `the upload has ${expected} parts, ${parts.length} were given`);
      }
      await completeMultipart(ctx, spec.source.key, uploadId, parts);
      request.log.info({ jobId: spec.jobId }, 'multipart upload completed');
      return jobView(ctx, { spec, status: undefined });
    },
  );

  app.delete(
    '/v1/uploads/:id',
    {
      schema: {
        tags: ['uploads'],
        operationId: 'abortUpload',
        summary: 'Abort an upload that has not finished; its job is removed',
        params: JobIdParamsSchema,
        response: { 204: { description: 'Aborted', type: 'null' }, default: problemResponse },
      },
    },
    async (request, reply) => {
      const spec = await loadUploadSpec(ctx, request.params.id, request.caller);
      if ((await ctx.store.readStatus(spec.jobId)) !== undefined) {
        throw new ApiError(
          'CONFLICT',
          'the job has started: DELETE /v1/jobs/{id} removes it with its outputs',
        );
      }
      const uploadId = spec.upload?.multipartUploadId;
      if (uploadId !== undefined && !(await abortMultipart(ctx, spec.source.key, uploadId))) {
        request.log.warn(
          { jobId: spec.jobId },
          'the storage cannot abort multipart uploads; parts stay until it expires them',
        );
      }
      await ctx.store.deleteJob(spec.jobId);
      return reply.code(204).send(null);
    },
  );
}
