import type { Problem } from './contract/problem.ts';

/**
 * Codes the client itself gives: `API_UNREACHABLE` ({@link ConnectionError}), `SOURCE_*`
 * ({@link UploadSourceError}), `PART_UPLOAD_FAILED` ({@link UploadPartError}), `EVENT_STREAM_FAILED` (the
 * job's event stream dropped `maxReconnects` times in a row). Answers of the API carry the API's own
 * `code` (`UNAUTHORIZED`, …) in an {@link ApiError}.
 */
export type ClientErrorCode =
  | 'API_UNREACHABLE'
  | 'SOURCE_NOT_FOUND'
  | 'SOURCE_IS_DIRECTORY'
  | 'SOURCE_UNREADABLE'
  | 'SOURCE_SIZE_UNKNOWN'
  | 'PART_UPLOAD_FAILED'
  | 'EVENT_STREAM_FAILED';

/**
 * The base of every error the client throws, shaped like the API's problem+json answers: `type`
 * (a URI naming the kind of problem), `status` (the HTTP status, 0 when no answer came) and `code`.
 *
 * @example
 * ```ts
 * import { createClient, MediaServerError } from '@media-server/client';
 *
 * const client = createClient({ baseUrl: 'http://127.0.0.1:3000', apiKey: 'dev-key' });
 * try {
 *   await client.jobs.get('01m96enptmmdgxzjsv058he8dm');
 * } catch (error) {
 *   if (error instanceof MediaServerError && error.status === 404) console.log('no such job');
 *   else throw error;
 * }
 * ```
 */
export class MediaServerError extends Error {
  /** The API's `code` (`NOT_FOUND`, `UNAUTHORIZED`, …) or a {@link ClientErrorCode}. */
  readonly code: string;
  /** HTTP status of the answer; 0 when there was none (network, local file). */
  readonly status: number;
  /** The problem type URI; `about:blank` when the API gave none. */
  readonly type: string;
  /**
   * @param message Human-readable detail.
   * @param fields `code`, `status` (0 without an answer) and the problem `type` (default `about:blank`).
   * @param options `cause`, as for `Error`.
   */
  constructor(
    message: string,
    fields: { code: string; status: number; type?: string | undefined },
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'MediaServerError';
    this.code = fields.code;
    this.status = fields.status;
    this.type = fields.type ?? 'about:blank';
  }
}

/**
 * The API answered with an error (4xx/5xx); `problem` is its RFC 9457 body when it sent one, and `code` the
 * API's code (`HTTP_<status>` when it gave none). 429 and 503 are retried before this is thrown.
 *
 * @example
 * ```ts
 * import { ApiError, createClient } from '@media-server/client';
 *
 * const client = createClient({ baseUrl: 'http://127.0.0.1:3000', apiKey: 'dev-key' });
 * try {
 *   await client.jobs.create({ key: 'uploads/missing.mp4' });
 * } catch (error) {
 *   if (!(error instanceof ApiError)) throw error;
 *   console.log(error.status, error.code, error.problem?.errors); // e.g. 404 NOT_FOUND undefined
 * }
 * ```
 */
export class ApiError extends MediaServerError {
  /** The RFC 9457 body of the answer; undefined when it was not problem JSON. */
  readonly problem: Problem | undefined;
  /**
   * @param status HTTP status of the answer.
   * @param problem Its problem body, if any.
   * @param options `cause`, as for `Error`.
   */
  constructor(status: number, problem: Problem | undefined, options?: ErrorOptions) {
    super(
      problem?.detail ?? problem?.title ?? `HTTP ${status}`,
      { code: problem?.code ?? `HTTP_${status}`, status, type: problem?.type },
      options,
    );
    this.name = 'ApiError';
    this.problem = problem;
  }
}

/**
 * No answer from the API (connection refused, DNS, reset): `code` is `API_UNREACHABLE`, `status` 0, and
 * `cause` the `fetch` error.
 *
 * @example
 * ```ts
 * import { ConnectionError, createClient } from '@media-server/client';
 *
 * const client = createClient({ baseUrl: 'http://127.0.0.1:1', apiKey: 'dev-key' });
 * const error = await client.jobs.list().catch((e: unknown) => e);
 * if (error instanceof ConnectionError) console.log(error.message); // cannot reach the API at http://127.0.0.1:1 (ECONNREFUSED)
 * ```
 */
export class ConnectionError extends MediaServerError {
  /**
   * @param url The API's base URL.
   * @param options `cause`: the `fetch` error.
   */
  constructor(url: string, options?: ErrorOptions) {
    // fetch says "fetch failed"; what happened is in its cause (ECONNREFUSED, ENOTFOUND, "bad port").
    const inner = (options?.cause as { cause?: { code?: string; message?: string } } | undefined)?.cause;
    const reason = inner?.code ?? inner?.message;
    super(
      `cannot reach the API at ${url}${reason === undefined ? '' : ` (${reason})`}`,
      {
        code: 'API_UNREACHABLE',
        status: 0,
      },
      options,
    );
    this.name = 'ConnectionError';
  }
}

/**
 * The file or stream to upload cannot be read: `code` is `SOURCE_NOT_FOUND`, `SOURCE_IS_DIRECTORY`,
 * `SOURCE_UNREADABLE` or `SOURCE_SIZE_UNKNOWN` (a stream without `size`). Thrown before anything is sent.
 *
 * @example
 * ```ts
 * import { createClient, UploadSourceError } from '@media-server/client';
 *
 * const client = createClient({ baseUrl: 'http://127.0.0.1:3000', apiKey: 'dev-key' });
 * const error = await client.upload('no-such-file.mp4').catch((e: unknown) => e);
 * if (error instanceof UploadSourceError) console.log(error.code); // SOURCE_NOT_FOUND
 * ```
 */
export class UploadSourceError extends MediaServerError {
  /**
   * @param message What is wrong with the source.
   * @param code Which of the four cases it is.
   * @param options `cause`: the file system error.
   */
  constructor(
    message: string,
    code: 'SOURCE_NOT_FOUND' | 'SOURCE_IS_DIRECTORY' | 'SOURCE_UNREADABLE' | 'SOURCE_SIZE_UNKNOWN',
    options?: ErrorOptions,
  ) {
    super(message, { code, status: 0 }, options);
    this.name = 'UploadSourceError';
  }
}

/**
 * A part (or the single PUT) failed after every retry (code `PART_UPLOAD_FAILED`); `partNumber` says which,
 * `status` is the storage's last answer (0 for a network error). A multipart upload stays in the storage:
 * `upload(source, { resume: id })` then sends only the parts it lacks.
 *
 * @example
 * ```ts
 * import { createClient, UploadPartError } from '@media-server/client';
 *
 * const client = createClient({ baseUrl: 'http://127.0.0.1:3000', apiKey: 'dev-key' });
 * let id: string | undefined;
 * try {
 *   await client.upload('big.mov', { onStart: (upload) => (id = upload.id) });
 * } catch (error) {
 *   if (!(error instanceof UploadPartError) || id === undefined) throw error;
 *   await client.upload('big.mov', { resume: id }); // sends only the parts the storage lacks
 * }
 * ```
 */
export class UploadPartError extends MediaServerError {
  /** The part that failed; 1 for a single PUT. */
  readonly partNumber: number;
  /**
   * @param partNumber The part that failed.
   * @param status The storage's last answer, 0 for a network error.
   * @param options `cause`: the last error.
   */
  constructor(partNumber: number, status: number, options?: ErrorOptions) {
    super(
      `part ${partNumber} failed${status === 0 ? '' : ` with HTTP ${status}`}`,
      { code: 'PART_UPLOAD_FAILED', status },
      options,
    );
    this.name = 'UploadPartError';
    this.partNumber = partNumber;
  }
}
