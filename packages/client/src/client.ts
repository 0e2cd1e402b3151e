import type {
  CreateJobBody,
  DeleteJobQuery,
  JobEvent,
  JobList,
  JobView,
  ListJobsQuery,
} from './contract/jobs.ts';
import { TERMINAL_STATES } from './contract/names.ts';
import type { Playback } from './contract/playback.ts';
import type { CompleteUploadBody, CreateUploadBody, Upload, UploadParts } from './contract/uploads.ts';
import { call, type HttpSettings } from './http.ts';
import { type JobEventsOptions, jobEvents } from './job-events.ts';
import type { UploadSource } from './upload/source.ts';
import { type UploadOptions, type UploadResult, uploadSource } from './upload/upload.ts';

/** Options of {@link createClient}. */
export interface MediaServerClientOptions {
  /** Where the API listens, e.g. `http://127.0.0.1:3000`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <apiKey>`. */
  apiKey: string;
  /** A fetch implementation. Default: the global `fetch`. */
  fetch?: typeof fetch | undefined;
  /** Retries of an answer 429 or 503, after its `Retry-After`. Default 3. */
  maxRetries?: number | undefined;
}

/** Options of every API call. */
export interface RequestOptions {
  /** Aborts the call (it rejects with the signal's reason). */
  signal?: AbortSignal | undefined;
}

/** Options of the calls that create something. */
export interface CreateOptions extends RequestOptions {
  /** Sent as `Idempotency-Key`: a retry with the same key gets the first answer. */
  idempotencyKey?: string | undefined;
}

/** Options of `client.jobs.wait`. */
export interface WaitOptions extends JobEventsOptions {
  /** Every event while waiting (progress, state changes). */
  onEvent?: ((event: JobEvent) => void) | undefined;
}

/**
 * The typed client of the media-server API. Create one with {@link createClient}. Every call rejects with a
 * `MediaServerError`: an `ApiError` for an error answer, a `ConnectionError` when none came.
 * Answers 429 and 503 are retried after their `Retry-After` (`maxRetries` times).
 */
export interface MediaServerClient {
  /**
   * Uploads a file, path or stream and answers the job it created: single PUT or multipart by size,
   * parts in parallel and retried, resumable, with progress and an `AbortSignal`.
   */
  upload(source: UploadSource, options?: UploadOptions): Promise<UploadResult>;
  /** The upload routes one by one (what `upload()` is built on). */
  readonly uploads: {
    /** `POST /v1/uploads`: a job awaiting its upload, with a presigned PUT or the URLs of every part. */
    create(body: CreateUploadBody, options?: CreateOptions): Promise<Upload>;
    /** `GET /v1/uploads/{id}/parts`: the parts the storage has, and fresh URLs for the others (resume). */
    parts(id: string, options?: RequestOptions): Promise<UploadParts>;
    /** `POST /v1/uploads/{id}/complete`: closes the upload and queues the job. */
    complete(id: string, body?: CompleteUploadBody, options?: RequestOptions): Promise<JobView>;
    /** `DELETE /v1/uploads/{id}`: aborts the multipart upload and deletes the job. */
    abort(id: string, options?: RequestOptions): Promise<void>;
  };
  /** The job routes. */
  readonly jobs: {
    /** `POST /v1/jobs`: a job for an object already in the bucket. */
    create(body: CreateJobBody, options?: CreateOptions): Promise<JobView>;
    /** `GET /v1/jobs/{id}`: the job now (state, progress, outputs with presigned links). */
    get(id: string, options?: RequestOptions): Promise<JobView>;
    /** `GET /v1/jobs`: one page of jobs, newest first; pass `nextCursor` as `cursor` for the next. */
    list(query?: ListJobsQuery, options?: RequestOptions): Promise<JobList>;
    /** `DELETE /v1/jobs/{id}`: deletes the job and its files (`force` while a worker processes it). */
    delete(id: string, query?: DeleteJobQuery, options?: RequestOptions): Promise<void>;
    /** The job's events (SSE) until it ends; reconnects with `Last-Event-ID` when the stream drops. */
    events(id: string, options?: JobEventsOptions): AsyncGenerator<JobEvent>;
    /** Waits for a terminal state (`succeeded` or `failed`) and answers the job then. */
    wait(id: string, options?: WaitOptions): Promise<JobView>;
  };
  /**
   * Signed links to play a job (HLS, MP4, poster, storyboard): a succeeded one, or a processing one once
   * its HLS ladder is playable (`live: true`, only `hls` set, the playlists grow until it succeeds);
   * 409 before that, 410 when it failed.
   */
  playback(id: string, options?: RequestOptions): Promise<Playback>;
}

/**
 * Creates a client. Works in Node ≥ 24 and in browsers (a file path as an upload source needs Node).
 * Nothing is sent until a method is called.
 *
 * @example
 * ```ts
 * import { createClient } from '@media-server/client';
 *
 * const client = createClient({ baseUrl: 'http://127.0.0.1:3000', apiKey: 'dev-key' });
 * const { id } = await client.upload('clip.mp4', { onProgress: (p) => console.log(p.loaded, p.total) });
 * const job = await client.jobs.wait(id);
 * console.log(job.state, job.outputs.map((output) => output.url));
 * ```
 */
export function createClient(options: MediaServerClientOptions): MediaServerClient {
  const settings: HttpSettings = {
    baseUrl: options.baseUrl,
    apiKey: options.apiKey,
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    maxRetries: options.maxRetries ?? 3,
  };
  const path = (template: string, id: string): string => template.replace('{id}', encodeURIComponent(id));

  const uploads: MediaServerClient['uploads'] = {
    create: (body, opts = {}) =>
      call(settings, 'POST', '/v1/uploads', {
        body,
        idempotencyKey: opts.idempotencyKey,
        signal: opts.signal,
      }),
    parts: (id, opts = {}) =>
      call(settings, 'GET', path('/v1/uploads/{id}/parts', id), { signal: opts.signal }),
    complete: (id, body = {}, opts = {}) =>
      call(settings, 'POST', path('/v1/uploads/{id}/complete', id), { body, signal: opts.signal }),
    abort: (id, opts = {}) => call(settings, 'DELETE', path('/v1/uploads/{id}', id), { signal: opts.signal }),
  };

  const jobs: MediaServerClient['jobs'] = {
    create: (body, opts = {}) =>
      call(settings, 'POST', '/v1/jobs', { body, idempotencyKey: opts.idempotencyKey, signal: opts.signal }),
    get: (id, opts = {}) => call(settings, 'GET', path('/v1/jobs/{id}', id), { signal: opts.signal }),
    list: (query = {}, opts = {}) =>
      call(settings, 'GET', '/v1/jobs', { query: { ...query }, signal: opts.signal }),
    delete: (id, query = {}, opts = {}) =>
      call(settings, 'DELETE', path('/v1/jobs/{id}', id), { query: { ...query }, signal: opts.signal }),
    events: (id, opts = {}) => jobEvents(settings, id, opts),
    async wait(id, opts = {}) {
      const current = await jobs.get(id, { signal: opts.signal });
      if (TERMINAL_STATES.includes(current.state)) return current;
      for await (const event of jobEvents(settings, id, opts)) opts.onEvent?.(event);
      return jobs.get(id, { signal: opts.signal });
    },
  };

  return {
    upload: (source, uploadOptions = {}) =>
      uploadSource(
        {
          createUpload: uploads.create,
          uploadParts: uploads.parts,
          completeUpload: uploads.complete,
          abortUpload: (id) => uploads.abort(id),
          fetch: settings.fetch,
        },
        source,
        uploadOptions,
      ),
    uploads,
    jobs,
    playback: (id, opts = {}) =>
      call(settings, 'GET', path('/v1/jobs/{id}/playback', id), { signal: opts.signal }),
  };
}
