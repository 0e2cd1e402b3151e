import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { JobDocumentError, JobUpdateConflictError } from './errors.ts';
import { JOBS_PREFIX, outputsPrefix, specKey, statusKey, uploadsPrefix } from './keys.ts';
import { type JobSpec, JobSpecSchema, type JobStatus, JobStatusSchema } from './schema.ts';

export interface JobStoreOptions {
  s3: S3Client;
  bucket: string;
  /** Attempts of an optimistic status update before JobUpdateConflictError. Default 8. */
  maxUpdateAttempts?: number;
}

interface Versioned<T> {
  value: T;
  etag: string;
}

/**
 * Reads and writes the job documents in S3, the system's only store.
 * Status updates are optimistic: read with its ETag, write with `If-Match` (or `If-None-Match: *` for
 * the first write) and retry on 412/409, so two writers never silently overwrite each other on S3.
 */
export class JobStore {
  readonly bucket: string;
  readonly #s3: S3Client;
  readonly #maxUpdateAttempts: number;

  constructor(options: JobStoreOptions) {
    this.#s3 = options.s3;
    this.bucket = options.bucket;
    this.#maxUpdateAttempts = options.maxUpdateAttempts ?? 8;
  }

  async readSpec(jobId: string): Promise<JobSpec | undefined> {
    return (await this.#readDocument(specKey(jobId), JobSpecSchema))?.value as JobSpec | undefined;
  }

  /** Writes the spec once; a second write for the same job id fails where S3 supports If-None-Match. */
  async writeSpec(spec: JobSpec): Promise<void> {
    this.#assertValid(specKey(spec.jobId), JobSpecSchema, spec);
    await this.#put(specKey(spec.jobId), spec, { IfNoneMatch: '*' });
  }

  async readStatus(jobId: string): Promise<JobStatus | undefined> {
    return (await this.#readDocument(statusKey(jobId), JobStatusSchema))?.value as JobStatus | undefined;
  }

  /**
   * Applies `update` to the current status (undefined when none exists) and stores the result.
   * Returning undefined from `update` leaves the document as it is. `updatedAt` is set here.
   */
  async updateStatus(
    jobId: string,
    update: (current: JobStatus | undefined) => JobStatus | undefined,
  ): Promise<JobStatus | undefined> {
    const key = statusKey(jobId);
    for (let attempt = 1; attempt <= this.#maxUpdateAttempts; attempt += 1) {
      const current = (await this.#readDocument(key, JobStatusSchema)) as Versioned<JobStatus> | undefined;
      const next = update(current === undefined ? undefined : structuredClone(current.value));
      if (next === undefined) return current?.value;
      const stamped: JobStatus = { ...next, updatedAt: new Date().toISOString() };
      this.#assertValid(key, JobStatusSchema, stamped);
      const condition = current === undefined ? { IfNoneMatch: '*' } : { IfMatch: current.etag };
      try {
        await this.#put(key, stamped, condition);
        return stamped;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
    throw new JobUpdateConflictError(jobId, this.#maxUpdateAttempts);
  }

  /** Job ids, oldest first (ids sort by creation time), `limit` at a time. */
  async listJobIds(options: { limit: number; cursor?: string | undefined }): Promise<{
    jobIds: string[];
    cursor: string | undefined;
  }> {
    const page = await this.#s3.send(
      new ListObjectsV2Command({
        Bucket: this.bucket,
        Prefix: JOBS_PREFIX,
        Delimiter: '/',
        MaxKeys: options.limit,
        ...(options.cursor === undefined ? {} : { ContinuationToken: options.cursor }),
      }),
    );
    const jobIds = (page.CommonPrefixes ?? [])
      .map((prefix) => prefix.Prefix?.slice(JOBS_PREFIX.length, -1))
      .filter((id): id is string => id !== undefined && id !== '');
    return { jobIds, cursor: page.IsTruncated ? page.NextContinuationToken : undefined };
  }

  /** Removes the job's outputs, its upload and its documents. Returns how many objects were deleted. */
  async deleteJob(jobId: string): Promise<number> {
    let deleted = 0;
    for (const prefix of [outputsPrefix(jobId), uploadsPrefix(jobId), `${JOBS_PREFIX}${jobId}/`]) {
      let token: string | undefined;
      do {
        const page = await this.#s3.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: prefix,
            ...(token === undefined ? {} : { ContinuationToken: token }),
          }),
        );
        const keys = (page.Contents ?? []).flatMap((object) => (object.Key ? [{ Key: object.Key }] : []));
        if (keys.length > 0) {
          await this.#s3.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys } }));
          deleted += keys.length;
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
    }
    return deleted;
  }

  async #readDocument(key: string, schema: TSchema): Promise<Versioned<unknown> | undefined> {
    let text: string;
    let etag: string;
    try {
      const object = await this.#s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      text = (await object.Body?.transformToString('utf8')) ?? '';
      etag = object.ETag ?? '';
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new JobDocumentError(key, 'not valid JSON', { cause: error });
    }
    this.#assertValid(key, schema, value);
    return { value, etag };
  }

  #assertValid(key: string, schema: TSchema, value: unknown): void {
    if (Value.Check(schema, value)) return;
    const [first] = Value.Errors(schema, value);
    throw new JobDocumentError(
      key,
      `does not match its schema: ${first?.instancePath || '/'} ${first?.message ?? ''}`,
    );
  }

  async #put(
    key: string,
    document: unknown,
    condition: { IfMatch?: string; IfNoneMatch?: string },
  ): Promise<void> {
    await this.#s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: JSON.stringify(document),
        ContentType: 'application/json',
        CacheControl: 'no-store',
        ...condition,
      }),
    );
  }
}

function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

function isNotFound(error: unknown): boolean {
  const name = (error as { name?: string })?.name;
  return name === 'NoSuchKey' || name === 'NotFound' || httpStatus(error) === 404;
}

function isConditionFailure(error: unknown): boolean {
  const status = httpStatus(error);
  return status === 412 || status === 409;
}
