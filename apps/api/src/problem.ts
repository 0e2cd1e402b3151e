import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance } from 'fastify';
import { ApiError } from './errors.ts';
import { isStorageUnreachable } from './s3-errors.ts';
import { PROBLEM_CONTENT_TYPE, type Problem } from './schemas.ts';
import { describeValidationIssues, type ValidationIssue } from './validation-issues.ts';

const FASTIFY_CODES: Record<string, { status: number; code: string; detail?: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    status: 413,
    code: 'BODY_TOO_LARGE',
    detail: 'the request body is too large',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    detail: 'send the body as application/json',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    status: 400,
    code: 'EMPTY_BODY',
    detail: 'the body is empty but Content-Type is application/json',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'INVALID_JSON', detail: 'the body is not valid JSON' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    code: 'INVALID_CONTENT_LENGTH',
    detail: 'Content-Length does not match the body',
  },
};

function problem(status: number, code: string, detail: string, extra: Partial<Problem> = {}): Problem {
  return {
    type: `urn:media-server:problem:${code.toLowerCase().replaceAll('_', '-')}`,
    title: STATUS_CODES[status] ?? 'Error',
    status,
    code,
    detail,
    ...extra,
  };
}

/** `Retry-After` of a 503 answered while S3 or SQS cannot be reached. */
const STORAGE_RETRY_AFTER_SECONDS = 5;

/** Maps any error to RFC 9457 problem details. */
export function toProblem(error: unknown): { problem: Problem; headers: Record<string, string> } {
  if (error instanceof ApiError) {
    return { problem: problem(error.status, error.code, error.message), headers: error.headers };
  }
  const fastifyError = error as Partial<FastifyError> & { validation?: ValidationIssue[] };
  if (Array.isArray(fastifyError.validation)) {
    const context = fastifyError.validationContext ?? 'request';
    const errors = describeValidationIssues(fastifyError.validation, context).slice(0, 20);
    const first = errors[0];
    const detail = first === undefined ? `invalid ${context}` : `${first.path} ${first.message}`;
    return { problem: problem(400, 'VALIDATION_FAILED', detail, { errors }), headers: {} };
  }
  const known = fastifyError.code === undefined ? undefined : FASTIFY_CODES[fastifyError.code];
  if (known !== undefined) {
    return {
      problem: problem(known.status, known.code, known.detail ?? fastifyError.message ?? ''),
      headers: {},
    };
  }
  if (
    error instanceof SyntaxError ||
    (fastifyError.statusCode === 400 && /JSON/i.test(fastifyError.message ?? ''))
  ) {
    return { problem: problem(400, 'INVALID_JSON', 'the body is not valid JSON'), headers: {} };
  }
  if (isStorageUnreachable(error)) {
    return {
      problem: problem(503, 'UNAVAILABLE', 'the storage or the queue cannot be reached; retry shortly'),
      headers: { 'retry-after': String(STORAGE_RETRY_AFTER_SECONDS) },
    };
  }
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return {
      problem: problem(status, fastifyError.code ?? 'BAD_REQUEST', fastifyError.message ?? 'bad request'),
      headers: {},
    };
  }
  return {
    problem: problem(500, 'INTERNAL', 'an unexpected error occurred; the request id is in the logs'),
    headers: {},
  };
}

/** Every error and every unknown route answers as `application/problem+json`. */
export function registerProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const { problem: body, headers } = toProblem(error);
    body.instance = request.url;
    if (body.status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ status: body.status, code: body.code, detail: body.detail }, 'request refused');
    void reply.code(body.status).headers(headers).type(PROBLEM_CONTENT_TYPE).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const body = problem(404, 'NOT_FOUND', `no route for ${request.method} ${request.url.split('?')[0]}`);
    body.instance = request.url;
    void reply.code(404).type(PROBLEM_CONTENT_TYPE).send(body);
  });
}

/**
 * Node's HTTP parser refuses some requests before Fastify sees them (headers too large, a malformed
 * request line, a client too slow): answer those as problem+json too, then close the connection.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, detail] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'HEADERS_TOO_LARGE', 'the request headers are too large']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'REQUEST_TIMEOUT', 'the request took too long to arrive']
        : [400, 'BAD_REQUEST', 'the request is not valid HTTP'];
  const body = JSON.stringify(problem(status, code, detail));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
