import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListPartsCommand,
  type Part,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { isNotFound, type JobSpec, newJobId, type PresetName, uploadKey } from '@media-server/jobs';
import type { UploadLimits } from './config.ts';
import type { AppContext } from './context.ts';
import { ApiError } from './errors.ts';
import { isUnsupported } from './s3-errors.ts';
import type { PartUrl, Upload } from './schemas.ts';

const MiB = 1024 * 1024;
const MAX_PART_BYTES = 5 * 1024 * MiB;
const S3_MAX_PARTS = 10_000;

/** What a client may ask of a job's processing, on an upload or a job of its own. */
export interface JobOptions {
  presets?: PresetName[] | undefined;
  webhookUrl?: string | undefined;
  mp4?: JobSpec['mp4'];
}

/** The options a client gave, as the spec records them (absent ones left out). */
export function specOptions(options: JobOptions): Pick<JobSpec, 'presets' | 'webhookUrl' | 'mp4'> {
  return {
    ...(options.presets === undefined ? {} : { presets: options.presets }),
    ...(options.webhookUrl === undefined ? {} : { webhookUrl: options.webhookUrl }),
    ...(options.mp4 === undefined ? {} : { mp4: options.mp4 }),
  };
}

export interface NewUpload extends JobOptions {
  filename: string;
  contentType: string;
  /** Bytes; undefined only for the legacy and Uppy routes, where the client does not say. */
  size?: number | undefined;
  owner: string;
  /** Force a method (Uppy decides itself); default: by size against the threshold. */
  method?: 'put' | 'multipart' | undefined;
}

export interface CreatedUpload {
  upload: Upload;
  spec: JobSpec;
}

/** True when `contentType` matches one of `allowed` (`video/*` style wildcards). */
export function isAllowedContentType(contentType: string, allowed: readonly string[]): boolean {
  const [type = '', subtype = ''] = contentType.toLowerCase().split(';')[0]?.trim().split('/') ?? [];
  return allowed.some((pattern) => {
    const [allowedType, allowedSubtype] = pattern.toLowerCase().split('/');
    return allowedType === type && (allowedSubtype === '*' || allowedSubtype === subtype);
  });
}

/** Checks type and size against the configured limits, with a clear message for each refusal. */
export function checkUploadLimits(limits: UploadLimits, contentType: string, size: number | undefined): void {
  if (!isAllowedContentType(contentType, limits.allowedContentTypes)) {
    throw new ApiError(
      'CONTENT_TYPE_NOT_ALLOWED',
      `content type "${contentType}" is not accepted; accepted: ${limits.allowedContentTypes.join(', ')}`,
    );
  }
  if (size !== undefined && size > limits.maxBytes) {
    throw new ApiError('UPLOAD_TOO_LARGE', `size ${size} exceeds the limit of ${limits.maxBytes} bytes`);
  }
}

/** Part size and count for a multipart upload of `size` bytes: the configured size, grown to fit `maxParts`. */
export function planParts(size: number, limits: UploadLimits): { partSize: number; partCount: number } {
  let partSize = limits.partSizeBytes;
  if (Math.ceil(size / partSize) > limits.maxParts) {
    partSize = Math.ceil(size / limits.maxParts / MiB) * MiB;
    // S3 parts are at most 5 GiB: past that, use up to S3's 10 000 parts instead.
    if (partSize > MAX_PART_BYTES) partSize = Math.ceil(size / S3_MAX_PARTS / MiB) * MiB;
  }
  return { partSize, partCount: Math.max(1, Math.ceil(size / partSize)) };
}

/** Bytes of part `partNumber` (1-based) of a `size`-byte upload. */
export function partSizeOf(partNumber: number, size: number, partSize: number, partCount: number): number {
  return partNumber < partCount ? partSize : size - partSize * (partCount - 1);
}

/** Creates the job's spec and the upload (presigned PUT, or a multipart upload with presigned parts). */
export async function createUpload(ctx: AppContext, input: NewUpload): Promise<CreatedUpload> {
  const limits = ctx.config.uploads;
  checkUploadLimits(limits, input.contentType, input.size);
  const method =
    input.method ??
    (input.size !== undefined && input.size > 0 && input.size >= limits.multipartThresholdBytes
      ? 'multipart'
      : 'put');
  const spec = newUploadSpec(limits, input, method);
  const { jobId } = spec;
  const { key } = spec.source;
  const expiresAt = spec.upload?.expiresAt ?? '';

  if (method === 'put') {
    await ctx.store.writeSpec(spec);
    const url = await presignPut(ctx, key, input.contentType, input.size);
    ctx.metrics.uploadsCreated.inc({ method });
    const headers: Record<string, string> = { 'content-type': input.contentType };
    if (input.size !== undefined) headers['content-length'] = String(input.size);
    return { spec, upload: { id: jobId, key, expiresAt, method: 'put', url, headers } };
  }

  const created = await ctx.s3.send(
    new CreateMultipartUploadCommand({ Bucket: ctx.bucket, Key: key, ContentType: input.contentType }),
  );
  const uploadId = created.UploadId;
  if (!uploadId) throw new Error('S3 returned no UploadId for CreateMultipartUpload');
  let parts: PartUrl[] = [];
  if (input.size !== undefined) {
    const { partSize, partCount } = planParts(input.size, limits);
    spec.upload = { method, expiresAt, multipartUploadId: uploadId, partSize, partCount };
    await ctx.store.writeSpec(spec);
    parts = await presignParts(ctx, spec, range(1, partCount));
  } else {
    spec.upload = { method, expiresAt, multipartUploadId: uploadId };
    await ctx.store.writeSpec(spec);
  }
  ctx.metrics.uploadsCreated.inc({ method });
  const { partSize = 0, partCount = 0 } = spec.upload;
  return {
    spec,
    upload: { id: jobId, key, expiresAt, method: 'multipart', uploadId, partSize, partCount, parts },
  };
}

/** The spec of a new job whose source the client uploads (no S3 call yet). */
function newUploadSpec(limits: UploadLimits, input: NewUpload, method: 'put' | 'multipart'): JobSpec {
  const jobId = newJobId();
  const now = new Date();
  return {
    schemaVersion: 1,
    jobId,
    createdAt: now.toISOString(),
    source: {
      key: uploadKey(jobId, input.filename),
      filename: input.filename,
      contentType: input.contentType,
      ...(input.size === undefined ? {} : { size: input.size }),
    },
    ...specOptions(input),
    upload: { method, expiresAt: new Date(now.getTime() + limits.urlTtlSeconds * 1000).toISOString() },
    owner: input.owner,
  };
}

/**
 * A multipart upload the client starts itself (Uppy's `signRequest`): the job's spec is written now,
 * without an upload id, and the answer is a presigned CreateMultipartUpload with Content-Type signed.
 */
export async function createClientMultipartUpload(
  ctx: AppContext,
  input: Omit<NewUpload, 'method'>,
): Promise<{ spec: JobSpec; url: string }> {
  checkUploadLimits(ctx.config.uploads, input.contentType, input.size);
  const spec = newUploadSpec(ctx.config.uploads, input, 'multipart');
  await ctx.store.writeSpec(spec);
  const url = await getSignedUrl(
    ctx.presigner,
    new CreateMultipartUploadCommand({
      Bucket: ctx.bucket,
      Key: spec.source.key,
      ContentType: input.contentType,
    }),
    { expiresIn: ctx.config.uploads.urlTtlSeconds, signableHeaders: new Set(['content-type']) },
  );
  ctx.metrics.uploadsCreated.inc({ method: 'multipart' });
  return { spec, url };
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, index) => from + index);
}

/** A presigned PUT with Content-Type and (when known) Content-Length signed. */
export async function presignPut(
  ctx: AppContext,
  key: string,
  contentType: string,
  size: number | undefined,
): Promise<string> {
  const command = new PutObjectCommand({
    Bucket: ctx.bucket,
    Key: key,
    ContentType: contentType,
    ...(size === undefined ? {} : { ContentLength: size }),
  });
  return getSignedUrl(ctx.presigner, command, {
    expiresIn: ctx.config.uploads.urlTtlSeconds,
    signableHeaders: new Set(size === undefined ? ['content-type'] : ['content-type', 'content-length']),
  });
}

/** Presigned part URLs; each part's exact size is signed when the upload's size is known. */
export async function presignParts(
  ctx: AppContext,
  spec: JobSpec,
  partNumbers: number[],
): Promise<PartUrl[]> {
  const plan = spec.upload;
  const uploadId = plan?.multipartUploadId;
  if (uploadId === undefined) throw new ApiError('CONFLICT', 'this upload is not a multipart upload');
  const size = spec.source.size;
  return Promise.all(
    partNumbers.map(async (partNumber) => {
      const partBytes =
        size !== undefined && plan?.partSize !== undefined && plan.partCount !== undefined
          ? partSizeOf(partNumber, size, plan.partSize, plan.partCount)
          : undefined;
      const command = new UploadPartCommand({
        Bucket: ctx.bucket,
        Key: spec.source.key,
        UploadId: uploadId,
        PartNumber: partNumber,
        ...(partBytes === undefined ? {} : { ContentLength: partBytes }),
      });
      const url = await getSignedUrl(ctx.presigner, command, {
        expiresIn: ctx.config.uploads.urlTtlSeconds,
        signableHeaders: new Set(partBytes === undefined ? [] : ['content-length']),
      });
      return { partNumber, size: partBytes ?? 0, url };
    }),
  );
}

export interface ListedParts {
  /** False when the storage cannot list parts. */
  listed: boolean;
  parts: { partNumber: number; etag: string; size: number }[];
}

/** The parts S3 holds for a multipart upload (every page). */
export async function listUploadedParts(
  ctx: AppContext,
  key: string,
  uploadId: string,
): Promise<ListedParts> {
  const parts: ListedParts['parts'] = [];
  let marker: string | undefined;
  try {
    do {
      const page = await ctx.s3.send(
        new ListPartsCommand({
          Bucket: ctx.bucket,
          Key: key,
          UploadId: uploadId,
          ...(marker === undefined ? {} : { PartNumberMarker: marker }),
        }),
      );
      for (const part of page.Parts ?? []) {
        if (part.PartNumber !== undefined && part.ETag !== undefined) {
          parts.push({ partNumber: part.PartNumber, etag: part.ETag, size: part.Size ?? 0 });
        }
      }
      marker = page.IsTruncated ? page.NextPartNumberMarker : undefined;
    } while (marker !== undefined);
  } catch (error) {
    if (isUnsupported(error)) return { listed: false, parts: [] };
    if (isNotFound(error))
      throw new ApiError('NOT_FOUND', 'the multipart upload no longer exists', { cause: error });
    throw error;
  }
  return { listed: true, parts };
}

/** Completes a multipart upload; the parts must be 1..n without gaps. */
export async function completeMultipart(
  ctx: AppContext,
  key: string,
  uploadId: string,
  parts: { partNumber: number; etag: string }[],
): Promise<void> {
  const sorted = [...parts].sort((a, b) => a.partNumber - b.partNumber);
  sorted.forEach((part, index) => {
    if (part.partNumber !== index + 1) {
      throw new ApiError(
        'UNPROCESSABLE',
        `parts must be numbered 1 to ${sorted.length} without gaps or repeats; part ${index + 1} is missing or repeated`,
      );
    }
  });
  const Parts: Part[] = sorted.map((part) => ({
    PartNumber: part.partNumber,
    ETag: part.etag.startsWith('"') ? part.etag : `"${part.etag}"`,
  }));
  try {
    await ctx.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: ctx.bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts },
      }),
    );
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'InvalidPart' || name === 'InvalidPartOrder' || name === 'EntityTooSmall') {
      throw new ApiError('UNPROCESSABLE', `S3 refused the parts: ${(error as Error).message}`, {
        cause: error,
      });
    }
    if (isNotFound(error)) {
      throw new ApiError('NOT_FOUND', 'the multipart upload no longer exists', { cause: error });
    }
    throw error;
  }
}

/** Aborts a multipart upload; false when the storage cannot, true otherwise (also when gone). */
export async function abortMultipart(ctx: AppContext, key: string, uploadId: string): Promise<boolean> {
  try {
    await ctx.s3.send(new AbortMultipartUploadCommand({ Bucket: ctx.bucket, Key: key, UploadId: uploadId }));
    return true;
  } catch (error) {
    if (isNotFound(error)) return true;
    if (isUnsupported(error)) return false;
    throw error;
  }
}
