import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { JOBS_PREFIX, type JobSpec, jobMessageBody, newJobId, OUTPUTS_PREFIX } from '@media-server/jobs';
import { Semaphore } from '@media-server/semaphore';
import type { RouteFlags } from '../app.ts';
import type { AppContext } from '../context.ts';
import { ApiError, NotFoundError } from '../errors.ts';
import { IDEMPOTENCY_PREFIX } from '../idempotency.ts';
import { jobView, loadJob } from '../job-view.ts';
import { LIMITS_PREFIX } from '../rate-limit.ts';
import {
  CreateJobBodySchema,
  DeleteJobQuerySchema,
  IdempotencyHeaderSchema,
  JobIdParamsSchema,
  JobListSchema,
  JobViewSchema,
  json,
  ListJobsQuerySchema,
  problemResponse,
} from '../schemas.ts';
import type { TypedApp } from '../typed-app.ts';
import { abortMultipart, checkUploadLimits, specOptions } from '../upload-service.ts';

/** Prefixes that hold the system's own documents: never the source of a job. */
const RESERVED_PREFIXES = [JOBS_PREFIX, OUTPUTS_PREFIX, IDEMPOTENCY_PREFIX, LIMITS_PREFIX];

export function registerJobRoutes(app: TypedApp, ctx: AppContext): void {
  app.post(
    '/v1/jobs',
    {
      config: { idempotent: true } satisfies RouteFlags,
      schema: {
        tags: ['jobs'],
        operationId: 'createJob',
        summary: 'Create a job for an object already in the bucket',
        headers: IdempotencyHeaderSchema,
        body: CreateJobBodySchema,
        response: { 202: json('Job queued', JobViewSchema), default: problemResponse },
      },
    },
    async (request, reply) => {
      const { key } = request.body;
      const keyProblem = sourceKeyProblem(key);
      if (keyProblem !== undefined) throw new ApiError('BAD_REQUEST', keyProblem);
      if (RESERVED_PREFIXES.some((prefix) => key.startsWith(prefix))) {
        throw new ApiError(
          'UNPROCESSABLE',
          `keys under ${RESERVED_PREFIXES.join(', ')} cannot be a job's source`,
        );
      }
      if (Buffer.byteLength(key) > 1024 || key.split('/').some((part) => Buffer.byteLength(part) > 255)) {
        throw new ApiError(
          'UNPROCESSABLE',
          'a key is at most 1024 bytes, each /-separated part at most 255 bytes',
        );
      }
      const head = await ctx.store.headSource(key);
      if (head === undefined)
        throw new ApiError('UNPROCESSABLE', `no object with the key "${key}" in the bucket`);
      checkUploadLimits(ctx.config.uploads, head.contentType ?? 'application/octet-stream', head.size);
      const jobId = newJobId();
      const spec: JobSpec = {
        schemaVersion: 1,
        jobId,
        createdAt: new Date().toISOString(),
        source: {
          key,
          filename: key.split('/').at(-1) ?? key,
          size: head.size,
          ...(head.contentType === undefined ? {} : { contentType: head.contentType }),
        },
        ...specOptions(request.body),
        owner: request.apiKeyId ?? '',
      };
      await ctx.store.writeSpec(spec);
      await ctx.sqs.send(
        new SendMessageCommand({
          QueueUrl: ctx.config.aws.queueUrl,
          MessageBody: jobMessageBody(jobId, 'api'),
        }),
      );
      ctx.metrics.jobsCreated.inc();
      request.log.info({ jobId, key }, 'job created');
      return reply
        .code(202)
        .header('location', `/v1/jobs/${jobId}`)
        .send(await jobView(ctx, { spec, status: undefined }));
    },
  );

  app.get(
    '/v1/jobs/:id',
    {
      schema: {
        tags: ['jobs'],
        operationId: 'getJob',
        summary: 'A job: state, progress, probe, outputs (with presigned GET links), error',
        params: JobIdParamsSchema,
        response: { 200: json('The job', JobViewSchema), default: problemResponse },
      },
    },
    async (request) => jobView(ctx, await loadJob(ctx, request.params.id, request.caller)),
  );

  app.get(
    '/v1/jobs',
    {
      schema: {
        tags: ['jobs'],
        operationId: 'listJobs',
        summary: 'Jobs, oldest first, a page at a time',
        querystring: ListJobsQuerySchema,
        response: { 200: json('A page of jobs', JobListSchema), default: problemResponse },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 20;
      const page = await ctx.store.listJobIds({ limit, after: request.query.cursor });
      // Each job is two reads (and a HEAD before the worker starts): read a few jobs at a time.
      const viewOf = new Semaphore(8).limit(async (jobId: string) => {
        try {
          return await jobView(ctx, await loadJob(ctx, jobId, request.caller));
        } catch (error) {
          // Another key's job is left out silently; a job deleted while listing, or a document that does
          // not parse, is skipped with a line in the log.
          if (error instanceof NotFoundError) return undefined;
          request.log.warn({ jobId, err: error }, 'job skipped in listing');
          return undefined;
        }
      });
      const views = await Promise.all(page.jobIds.map(viewOf));
      const items = views.filter((view) => view !== undefined);
      return page.next === undefined ? { items } : { items, nextCursor: page.next };
    },
  );

  app.delete(
    '/v1/jobs/:id',
    {
      schema: {
        tags: ['jobs'],
        operationId: 'deleteJob',
        summary: 'Delete a job with its outputs and source',
        params: JobIdParamsSchema,
        querystring: DeleteJobQuerySchema,
        response: { 204: { description: 'Deleted', type: 'null' }, default: problemResponse },
      },
    },
    async (request, reply) => {
      const { spec, status } = await loadJob(ctx, request.params.id, request.caller);
      if (status?.state === 'processing' && request.query.force !== true) {
        throw new ApiError(
          'CONFLICT',
          'a worker is processing this job; wait for it to finish or pass force=true',
        );
      }
      const uploadId = spec?.upload?.multipartUploadId;
      if (uploadId !== undefined && status === undefined)
        await abortMultipart(ctx, spec?.source.key ?? '', uploadId);
      const deleted = await ctx.store.deleteJob(request.params.id);
      request.log.info({ jobId: request.params.id, deleted }, 'job deleted');
      return reply.code(204).send(null);
    },
  );
}

/**
 * Why `key` cannot name a job's source, or undefined. S3 keys are opaque strings, but the system's own
 * prefix checks read them as paths: `uploads/../outputs/<id>/…` must not slip past them, so `.` and `..`
 * segments, empty segments (`a//b`, a leading or trailing `/`) and control characters are refused.
 */
export function sourceKeyProblem(key: string): string | undefined {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this looks for
  if (/[\u0000-\u001f\u007f-\u009f]/.test(key)) return 'the key contains a control character';
  for (const segment of key.split('/')) {
    if (segment === '') return 'the key has an empty segment (a leading, trailing or doubled "/")';
    if (segment === '.' || segment === '..') return `the key has a "${segment}" segment`;
  }
  return undefined;
}
