const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * The AWS call failed because S3 or SQS could not be reached or answered with a server error (an outage),
 * as opposed to a refusal about this one request. Looks through `cause` chains.
 */
export function isAwsUnreachable(error: unknown): boolean {
  for (let current = error, depth = 0; current !== undefined && current !== null && depth < 5; depth += 1) {
    const e = current as {
      code?: unknown;
      name?: unknown;
      $metadata?: { httpStatusCode?: number };
      cause?: unknown;
    };
    if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return true;
    if (e.name === 'TimeoutError' || e.name === 'RequestTimeout') return true;
    const status = e.$metadata?.httpStatusCode;
    if (status !== undefined && status >= 500 && status !== 501) return true;
    current = e.cause;
  }
  return false;
}
