import { GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { type JobSpec, type JobStatus, jobViewState, needsSourceCheck } from '@media-server/jobs';
import type { AppContext } from './context.ts';
import { NotFoundError } from './errors.ts';
import type { JobOutputView, JobView } from './schemas.ts';
import { type Caller, mayAccess } from './tenancy.ts';

export interface JobDocuments {
  spec: JobSpec | undefined;
  status: JobStatus | undefined;
}

/**
 * The job's spec and status; NotFoundError when it has neither or when `caller` may not see it (another
 * key's job looks exactly like a missing one).
 */
export async function loadJob(
  ctx: AppContext,
  jobId: string,
  caller: Caller | undefined,
): Promise<JobDocuments> {
  const [spec, status] = await Promise.all([ctx.store.readSpec(jobId), ctx.store.readStatus(jobId)]);
  if (spec === undefined && status === undefined) throw new NotFoundError(`job ${jobId}`);
  if (!mayAccess(caller, spec)) throw new NotFoundError(`job ${jobId}`);
  return { spec, status };
}

export interface ViewOptions {
  /** Presign GET links for the outputs (default true; the SSE stream skips it until the end). */
  sign?: boolean;
}

/**
 * What a client sees of a job. Without a status document the worker has not started: the job is
 * `awaiting_upload` until its source object exists, then `queued`.
 */
export async function jobView(
  ctx: AppContext,
  docs: JobDocuments,
  options: ViewOptions = {},
): Promise<JobView> {
  const { spec, status } = docs;
  const id = spec?.jobId ?? status?.jobId ?? '';
  const sourceKey = status?.source.key ?? spec?.source.key ?? '';
  // Before the worker writes a status, the source object says whether the upload arrived.
  const head = needsSourceCheck(status, spec) ? await ctx.store.headSource(sourceKey) : undefined;
  const state = jobViewState(status, spec, head !== undefined);
  const etag = head?.etag ?? status?.source.etag;
  const size = head?.size ?? status?.source.size ?? spec?.source.size;
  const outputs: JobOutputView[] =
    options.sign === false || status === undefined ? [] : await signOutputs(ctx, status);
  const view: JobView = {
    id,
    state,
    createdAt: spec?.createdAt ?? status?.createdAt ?? new Date(0).toISOString(),
    updatedAt: status?.updatedAt ?? spec?.createdAt ?? new Date(0).toISOString(),
    source: {
      key: sourceKey,
      ...(spec?.source.filename === undefined ? {} : { filename: spec.source.filename }),
      ...(spec?.source.contentType === undefined ? {} : { contentType: spec.source.contentType }),
      ...(size === undefined ? {} : { size }),
      ...(etag === undefined ? {} : { etag }),
    },
    attempts: status?.attempts ?? 0,
    outputs,
  };
  if (spec?.presets !== undefined) view.presets = spec.presets;
  if (spec?.webhookUrl !== undefined) view.webhookUrl = spec.webhookUrl;
  if (spec?.mp4 !== undefined) view.mp4 = spec.mp4;
  if (status?.progress !== undefined) view.progress = status.progress;
  if (status?.probe !== undefined) view.probe = status.probe;
  if (status?.error !== undefined) view.error = status.error;
  if (status?.timings !== undefined) view.timings = status.timings;
  if (status?.playableAt !== undefined) view.playableAt = status.playableAt;
  if (status?.webhookDeliveries !== undefined) view.webhookDeliveries = status.webhookDeliveries;
  return view;
}

async function signOutputs(ctx: AppContext, status: JobStatus): Promise<JobOutputView[]> {
  const ttl = ctx.config.downloadUrlTtlSeconds;
  const urlExpiresAt = new Date(Date.now() + ttl * 1000).toISOString();
  return Promise.all(
    status.outputs.map(async (output) => ({
      ...output,
      url: await getSignedUrl(ctx.presigner, new GetObjectCommand({ Bucket: ctx.bucket, Key: output.key }), {
        expiresIn: ttl,
      }),
      urlExpiresAt,
    })),
  );
}
