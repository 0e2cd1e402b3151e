import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { JobDocumentError, JobUpdateConflictError } from './errors.ts';
import { isJobId } from './job-id.ts';
import { JOBS_PREFIX, outputsPrefix, specKey, statusKey, uploadsPrefix } from './keys.ts';
import { isConditionFailure, isNotFound } from './s3-errors.ts';
import { type JobSpec, JobSpecSchema, type JobStatus, JobStatusSchema } from './schema.ts';
import type { Transition } from './transition.ts';

export interface JobStoreOptions {
  s3: S3Client;
  bucket: string;
  /** Attempts of an optimistic status update before JobUpdateConflictError. Default 8. */
  maxUpdateAttempts?: number;
}

/** What S3 says about a job's source object. */
export interface SourceObject {
  /** Without quotes; empty when S3 gave none. */
  etag: string;
  size: number;
  contentType?: string | undefined;
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

  /**
   * Applies a pure transition (see `claimJob`, `succeedJob`, …) as an optimistic update: on a conflict it
   * runs again on the fresh status. Answers the status as written, or the refusal of the last run.
   * @example
   * const done = await store.transition(jobId, (current) => succeedJob(current, { workerId, result, now: Date.now() }));
   * if (!done.ok) log.warn({ reason: done.reason }, done.message);
   */
  async transition(jobId: string, next: (current: JobStatus | undefined) => Transition): Promise<Transition> {
    // Set inside the update (TypeScript does not follow assignments in callbacks, hence the cast).
    let last = undefined as Transition | undefined;
    const written = await this.updateStatus(jobId, (current) => {
      last = next(current);
      return last.ok ? last.status : undefined;
    });
    if (last === undefined) throw new Error('the transition never ran');
    if (!last.ok) return last;
    if (written === undefined) throw new Error('the status update returned nothing');
    return { ok: true, status: written };
  }

  /**
   * Job ids after `after`, oldest first (ids sort by creation time), at most `limit`. `next` is the last id
   * of the page when more may follow: pass it as `after` for the next page. Listing resumes just past
   * every key of that job (`jobs/<id>0` sorts after `jobs/<id>/…`); names under `jobs/` that are not job
   * ids are left out.
   */
  async listJobIds(options: { limit: number; after?: string | undefined }): Promise<{
    jobIds: string[];
    next: string | undefined;
  }> {
    const { limit, after } = options;
    const page = await this.#s3.send(
      new ListObjectsV2Command({
        Bucket: this.bucket,
        Prefix: JOBS_PREFIX,
        Delimiter: '/',
        MaxKeys: limit,
        ...(after === undefined ? {} : { StartAfter: `${JOBS_PREFIX}${after}0` }),
      }),
    );
    const all = (page.CommonPrefixes ?? [])
      .map((prefix) => prefix.Prefix?.slice(JOBS_PREFIX.length, -1) ?? '')
      .filter((id) => isJobId(id) && (after === undefined || id > after))
      .sort();
    const jobIds = all.slice(0, limit);
    const more = all.length > limit || page.IsTruncated === true;
    return { jobIds, next: more && jobIds.length > 0 ? jobIds.at(-1) : undefined };
  }

  /**
   * Size, ETag and content type of a source object, or undefined when it does not exist (not uploaded yet).
   * @example
   * const source = await store.headSource(spec.source.key);
   */
  async headSource(key: string): Promise<SourceObject | undefined> {
    try {
      const head = await this.#s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return {
        etag: (head.ETag ?? '').replaceAll('"', ''),
        size: head.ContentLength ?? 0,
        contentType: head.ContentType,
      };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
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
