export type ApiErrorCode =
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'GONE'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'UNPROCESSABLE'
  | 'RATE_LIMITED'
  | 'NOT_IMPLEMENTED'
  | 'UNAVAILABLE'
  | 'UPLOAD_TOO_LARGE'
  | 'CONTENT_TYPE_NOT_ALLOWED'
  | 'UPLOAD_NOT_RECEIVED'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'IDEMPOTENCY_KEY_IN_USE';

const STATUS: Record<ApiErrorCode, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  CONFLICT: 409,
  GONE: 410,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNPROCESSABLE: 422,
  RATE_LIMITED: 429,
  NOT_IMPLEMENTED: 501,
  UNAVAILABLE: 503,
  UPLOAD_TOO_LARGE: 413,
  CONTENT_TYPE_NOT_ALLOWED: 415,
  UPLOAD_NOT_RECEIVED: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  IDEMPOTENCY_KEY_IN_USE: 409,
};

/**
 * An error the API answers with as `application/problem+json` (RFC 9457): `status` from the code,
 * `detail` from the message.
 */
export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly status: number;
  readonly headers: Record<string, string>;
  constructor(
    code: ApiErrorCode,
    message: string,
    options?: ErrorOptions & { headers?: Record<string, string> },
  ) {
    super(message, options);
    this.name = 'ApiError';
    this.code = code;
    this.status = STATUS[code];
    this.headers = options?.headers ?? {};
  }
}

export class NotFoundError extends ApiError {
  constructor(what: string, options?: ErrorOptions) {
    super('NOT_FOUND', `${what} not found`, options);
    this.name = 'NotFoundError';
  }
}

export class UnauthorizedError extends ApiError {
  constructor(message: string) {
    super('UNAUTHORIZED', message, { headers: { 'www-authenticate': 'Bearer realm="media-server"' } });
    this.name = 'UnauthorizedError';
  }
}
