import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  ListPartsCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { type JobSpec, jobIdFromUploadKey } from '@media-server/jobs';
import { type Static, Type } from 'typebox';
import type { RouteFlags } from '../app.ts';
import type { AppContext } from '../context.ts';
import { ApiError, NotFoundError } from '../errors.ts';
import { json, problemResponse } from '../schemas.ts';
import { type Caller, mayAccess } from '../tenancy.ts';
import type { TypedApp } from '../typed-app.ts';
import {
  abortMultipart,
  createClientMultipartUpload,
  createUpload,
  listUploadedParts,
} from '../upload-service.ts';

export const UppySignBodySchema = Type.Object(
  {
    method: Type.Union([
      Type.Literal('PUT'),
      Type.Literal('POST'),
      Type.Literal('GET'),
      Type.Literal('DELETE'),
    ]),
    key: Type.String({
      minLength: 1,
      maxLength: 1024,
      description: "Uppy's key: any name for a new upload, the key this API answered afterwards",
    }),
    uploadId: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
    partNumber: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
    filename: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
    type: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'Content type' })),
    size: Type.Optional(Type.Integer({ minimum: 0, maximum: 5 * 1024 ** 4, description: 'Bytes' })),
  },
  { additionalProperties: false, title: 'UppySignRequest' },
);
type UppySignBody = Static<typeof UppySignBodySchema>;

export const UppySignResponseSchema = Type.Object(
  {
    url: Type.String({ description: 'Presigned S3 URL for exactly the request described' }),
    key: Type.String({ description: 'The S3 key of the upload' }),
    jobId: Type.String(),
  },
  { title: 'UppySignedRequest' },
);
type UppySignResponse = Static<typeof UppySignResponseSchema>;

const DESCRIPTION = [
  "The `signRequest` option of `@uppy/aws-s3` 6 (Uppy then talks to S3 itself): pass Uppy's request",
  "(`method`, `key`, `uploadId`, `partNumber`) and, for a new upload, the file's `filename`, `type` and `size`.",
  'PUT without uploadId: a single upload (a new job; Content-Type and Content-Length signed).',
  "POST without uploadId: starts a multipart upload (a new job; Content-Type signed); the answer's `key` is",
  'the one to use from then on. With uploadId: PUT + partNumber uploads a part, GET lists the parts, POST',
  'completes (refused when the parts add up to more than the upload limit), DELETE aborts and removes the job.',
].join(' ');

/**
 * `POST /s3/sign`: presigns the S3 requests of Uppy's aws-s3 plugin (version 6, whose Companion
 * mode cannot send the API key). Every upload is a job, as with the other upload routes; requests on
 * an upload need a key this API handed out for a multipart upload.
 */
export function registerUppySignRoute(app: TypedApp, ctx: AppContext): void {
  const ttl = ctx.config.uploads.urlTtlSeconds;

  /** The spec of the multipart upload of `key`; the upload id, when the API knows it, must match. */
  async function multipartSpec(key: string, uploadId: string, caller: Caller | undefined): Promise<JobSpec> {
    const jobId = jobIdFromUploadKey(key);
    const spec = jobId === undefined ? undefined : await ctx.store.readSpec(jobId);
    const known = spec?.upload?.multipartUploadId;
    if (
      spec === undefined ||
      !mayAccess(caller, spec) ||
      spec.source.key !== key ||
      spec.upload?.method !== 'multipart' ||
      (known !== undefined && known !== uploadId)
    ) {
      throw new NotFoundError(`multipart upload ${uploadId} of ${key}`);
    }
    return spec;
  }

  /** Fields a new upload needs. */
  function newFile(body: UppySignBody): { filename: string; type: string; size: number | undefined } {
    if (body.type === undefined) throw new ApiError('BAD_REQUEST', "a new upload needs the file's `type`");
    return { filename: body.filename ?? body.key, type: body.type, size: body.size };
  }

  async function sign(body: UppySignBody, caller: Caller | undefined): Promise<UppySignResponse> {
    const owner = caller?.keyId ?? '';
    const { method, key, uploadId } = body;
    if (uploadId === undefined) {
      if (method === 'PUT') {
        const file = newFile(body);
        if (file.size === undefined) {
          throw new ApiError(
            'BAD_REQUEST',
            "a single upload needs the file's `size`: it is signed as Content-Length",
          );
        }
        await ctx.uploadLimit.take(owner);
        const { upload } = await createUpload(ctx, {
          filename: file.filename,
          contentType: file.type,
          size: file.size,
          owner,
          method: 'put',
        });
        if (upload.method !== 'put') throw new Error('expected a single upload');
        return { url: upload.url, key: upload.key, jobId: upload.id };
      }
      if (method === 'POST') {
        const file = newFile(body);
        await ctx.uploadLimit.take(owner);
        const { spec, url } = await createClientMultipartUpload(ctx, {
          filename: file.filename,
          contentType: file.type,
          size: file.size,
          owner,
        });
        return { url, key: spec.source.key, jobId: spec.jobId };
      }
      throw new ApiError('BAD_REQUEST', `${method} without an uploadId is not an upload request`);
    }

    const spec = await multipartSpec(key, uploadId, caller);
    const target = { Bucket: ctx.bucket, Key: key, UploadId: uploadId };
    const answer = (url: string): UppySignResponse => ({ url, key, jobId: spec.jobId });
    switch (method) {
      case 'PUT': {
        if (body.partNumber === undefined)
          throw new ApiError('BAD_REQUEST', 'a part upload needs `partNumber`');
        return answer(
          await getSignedUrl(
            ctx.presigner,
            new UploadPartCommand({ ...target, PartNumber: body.partNumber }),
            { expiresIn: ttl },
          ),
        );
      }
      case 'GET':
        return answer(await getSignedUrl(ctx.presigner, new ListPartsCommand(target), { expiresIn: ttl }));
      case 'POST': {
        const listed = await listUploadedParts(ctx, key, uploadId);
        const total = listed.parts.reduce((sum, part) => sum + part.size, 0);
        if (total > ctx.config.uploads.maxBytes) {
          await abortMultipart(ctx, key, uploadId);
          await ctx.store.deleteJob(spec.jobId);
          throw new ApiError(
            'UPLOAD_TOO_LARGE',
            `the parts add up to ${total} bytes, over the limit of ${ctx.config.uploads.maxBytes}`,
          );
        }
        return answer(
          await getSignedUrl(ctx.presigner, new CompleteMultipartUploadCommand(target), { expiresIn: ttl }),
        );
      }
      case 'DELETE': {
        if ((await ctx.store.readStatus(spec.jobId)) !== undefined) {
          throw new ApiError('CONFLICT', 'the job has started: DELETE /v1/jobs/{id} removes it');
        }
        const url = await getSignedUrl(ctx.presigner, new AbortMultipartUploadCommand(target), {
          expiresIn: ttl,
        });
        await ctx.store.deleteJob(spec.jobId);
        return answer(url);
      }
    }
  }

  app.post(
    '/s3/sign',
    {
      config: { idempotent: true } satisfies RouteFlags,
      schema: {
        tags: ['uppy'],
        operationId: 'uppySignRequest',
        summary: "Uppy 6: presign one of the aws-s3 plugin's S3 requests",
        description: DESCRIPTION,
        body: UppySignBodySchema,
        response: { 200: json('Presigned request', UppySignResponseSchema), default: problemResponse },
      },
    },
    async (request) => sign(request.body, request.caller),
  );
}
