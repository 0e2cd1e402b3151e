import type { Problem } from './contract/problem.ts';

/** Codes the client itself gives; answers of the API carry the API's own `code` (`UNAUTHORIZED`, …). */
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
 * try {
 *   await client.jobs.get(id);
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

/** The API answered with an error (4xx/5xx); `problem` is its RFC 9457 body when it sent one. */
export class ApiError extends MediaServerError {
  readonly problem: Problem | undefined;
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

/** No answer from the API (connection refused, DNS, reset): `code` is `API_UNREACHABLE`. */
export class ConnectionError extends MediaServerError {
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

/** The file or stream to upload cannot be read (missing, a directory, unreadable, no size). */
export class UploadSourceError extends MediaServerError {
  constructor(
    message: string,
    code: 'SOURCE_NOT_FOUND' | 'SOURCE_IS_DIRECTORY' | 'SOURCE_UNREADABLE' | 'SOURCE_SIZE_UNKNOWN',
    options?: ErrorOptions,
  ) {
    super(message, { code, status: 0 }, options);
    this.name = 'UploadSourceError';
  }
}

/** A part (or the single PUT) failed after every retry; `partNumber` says which. */
export class UploadPartError extends MediaServerError {
  readonly partNumber: number;
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
