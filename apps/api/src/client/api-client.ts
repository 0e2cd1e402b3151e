import type { Static } from 'typebox';
import type { Playback } from '../playback/schemas.ts';
import type {
  CompleteUploadBody,
  CreateJobBody,
  CreateUploadBody,
  JobListSchema,
  JobView,
  Problem,
  Upload,
  UploadParts,
} from '../schemas.ts';

/**
 * A small typed client of the API. Its types are the TypeBox schemas the server validates with and
 * publishes as the OpenAPI document, so client, server and document cannot drift apart (a test
 * checks that every `/v1` operation of the document has a method here).
 */

export type JobList = Static<typeof JobListSchema>;
export type {
  CompleteUploadBody,
  CreateJobBody,
  CreateUploadBody,
  JobView,
  Playback,
  Problem,
  Upload,
  UploadParts,
};

/** One event of `GET /v1/jobs/{id}/events`. */
export type JobEvent =
  | { event: 'state'; data: JobView }
  | { event: 'progress'; data: { state: JobView['state']; progress: NonNullable<JobView['progress']> } }
  | { event: 'end'; data: { state: JobView['state'] } }
  | { event: 'error'; data: { detail: string } };

export interface ApiClientOptions {
  /** Where the API listens, e.g. `http://127.0.0.1:3000`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <apiKey>`. */
  apiKey: string;
  /** A fetch implementation. Default: the global fetch. */
  fetch?: typeof fetch;
}

export interface RequestOptions {
  /** Sent as `Idempotency-Key` (POSTs): a retry with the same key gets the first answer. */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

/** A non-2xx answer; `problem` holds the RFC 9457 body. */
export class ApiClientError extends Error {
  readonly status: number;
  readonly problem: Problem | undefined;
  constructor(status: number, problem: Problem | undefined) {
    super(problem?.detail ?? problem?.title ?? `HTTP ${status}`);
    this.name = 'ApiClientError';
    this.status = status;
    this.problem = problem;
  }
}

/** The API operations the client implements, by OpenAPI method and path. */
export const CLIENT_OPERATIONS: Readonly<Record<string, keyof ApiClient>> = {
  'POST /v1/uploads': 'createUpload',
  'GET /v1/uploads/{id}/parts': 'uploadParts',
  'POST /v1/uploads/{id}/complete': 'completeUpload',
  'DELETE /v1/uploads/{id}': 'abortUpload',
  'POST /v1/jobs': 'createJob',
  'GET /v1/jobs': 'listJobs',
  'GET /v1/jobs/{id}': 'getJob',
  'GET /v1/jobs/{id}/playback': 'getPlayback',
  'DELETE /v1/jobs/{id}': 'deleteJob',
  'GET /v1/jobs/{id}/events': 'jobEvents',
};

export interface ApiClient {
  createUpload(body: CreateUploadBody, options?: RequestOptions): Promise<Upload>;
  uploadParts(id: string, options?: RequestOptions): Promise<UploadParts>;
  completeUpload(id: string, body?: CompleteUploadBody, options?: RequestOptions): Promise<JobView>;
  abortUpload(id: string, options?: RequestOptions): Promise<void>;
  createJob(body: CreateJobBody, options?: RequestOptions): Promise<JobView>;
  listJobs(query?: { limit?: number; cursor?: string }, options?: RequestOptions): Promise<JobList>;
  getJob(id: string, options?: RequestOptions): Promise<JobView>;
  /** Signed playback URLs of a succeeded job (409 before). */
  getPlayback(id: string, options?: RequestOptions): Promise<Playback>;
  deleteJob(id: string, query?: { force?: boolean }, options?: RequestOptions): Promise<void>;
  /** The job's events until the stream ends (terminal state) or `signal` aborts. */
  jobEvents(id: string, options?: RequestOptions): AsyncGenerator<JobEvent>;
  /**
   * Sends a file to an upload: one PUT with the signed headers, or every part of a multipart upload
   * followed by `completeUpload`. Answers the job.
   */
  uploadFile(upload: Upload, data: Uint8Array, options?: RequestOptions): Promise<JobView>;
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const base = options.baseUrl.replace(/\/$/, '');

  async function call<T>(
    method: string,
    path: string,
    init: {
      body?: unknown;
      query?: Record<string, string | number | boolean | undefined>;
    } & RequestOptions = {},
  ): Promise<T> {
    const url = new URL(base + path);
    for (const [name, value] of Object.entries(init.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = { authorization: `Bearer ${options.apiKey}` };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    if (init.idempotencyKey !== undefined) headers['idempotency-key'] = init.idempotencyKey;
    const response = await fetchImpl(url, {
      method,
      headers,
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      ...(init.signal === undefined ? {} : { signal: init.signal }),
    });
    if (!response.ok) throw new ApiClientError(response.status, await readProblem(response));
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }

  const id = (value: string): string => encodeURIComponent(value);

  const client: ApiClient = {
    createUpload: (body, opts) => call('POST', '/v1/uploads', { ...opts, body }),
    uploadParts: (jobId, opts) => call('GET', `/v1/uploads/${id(jobId)}/parts`, { ...opts }),
    completeUpload: (jobId, body, opts) =>
      call('POST', `/v1/uploads/${id(jobId)}/complete`, { ...opts, body: body ?? {} }),
    abortUpload: (jobId, opts) => call('DELETE', `/v1/uploads/${id(jobId)}`, { ...opts }),
    createJob: (body, opts) => call('POST', '/v1/jobs', { ...opts, body }),
    listJobs: (query, opts) => call('GET', '/v1/jobs', { ...opts, query: { ...query } }),
    getJob: (jobId, opts) => call('GET', `/v1/jobs/${id(jobId)}`, { ...opts }),
    getPlayback: (jobId, opts) => call('GET', `/v1/jobs/${id(jobId)}/playback`, { ...opts }),
    deleteJob: (jobId, query, opts) =>
      call('DELETE', `/v1/jobs/${id(jobId)}`, { ...opts, query: { ...query } }),
    async *jobEvents(jobId, opts = {}) {
      const response = await fetchImpl(`${base}/v1/jobs/${id(jobId)}/events`, {
        headers: { authorization: `Bearer ${options.apiKey}`, accept: 'text/event-stream' },
        ...(opts.signal === undefined ? {} : { signal: opts.signal }),
      });
      if (!response.ok || response.body === null) {
        throw new ApiClientError(response.status, await readProblem(response));
      }
      yield* parseEventStream(response.body);
    },
    async uploadFile(upload, data, opts = {}) {
      if (upload.method === 'put') {
        await putBytes(fetchImpl, upload.url, data, upload.headers, opts.signal);
        return client.completeUpload(upload.id, {}, opts);
      }
      const parts = [];
      for (const part of upload.parts) {
        const start = (part.partNumber - 1) * upload.partSize;
        const etag = await putBytes(
          fetchImpl,
          part.url,
          data.subarray(start, start + part.size),
          {},
          opts.signal,
        );
        parts.push({ partNumber: part.partNumber, etag });
      }
      return client.completeUpload(upload.id, { parts }, opts);
    },
  };
  return client;
}

/** PUTs bytes to a presigned URL; answers the ETag S3 gives. */
export async function putBytes(
  fetchImpl: typeof fetch,
  url: string,
  data: Uint8Array,
  headers: Record<string, string>,
  signal?: AbortSignal,
): Promise<string> {
  const response = await fetchImpl(url, {
    method: 'PUT',
    headers,
    body: data,
    ...(signal === undefined ? {} : { signal }),
  });
  if (!response.ok) throw new ApiClientError(response.status, undefined);
  await response.arrayBuffer();
  return response.headers.get('etag') ?? '';
}

async function readProblem(response: Response): Promise<Problem | undefined> {
  try {
    return (await response.json()) as Problem;
  } catch {
    return undefined;
  }
}

/** Parses a `text/event-stream` body into events (comments skipped). */
export async function* parseEventStream(body: ReadableStream<Uint8Array>): AsyncGenerator<JobEvent> {
  let buffer = '';
  const decoder = new TextDecoder();
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let boundary = buffer.indexOf('\n\n');
    while (boundary !== -1) {
      const block = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary + 2);
      boundary = buffer.indexOf('\n\n');
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length > 0) yield { event, data: JSON.parse(data.join('\n')) } as JobEvent;
    }
  }
}
