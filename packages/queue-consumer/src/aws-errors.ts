import { CredentialsError, QueueNotFoundError } from './errors.ts';

const QUEUE_MISSING = new Set([
  'QueueDoesNotExist',
  'AWS.SimpleQueueService.NonExistentQueue',
  'NonExistentQueue',
]);
const CREDENTIALS = new Set([
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'AccessDenied',
  'AccessDeniedException',
  'ExpiredToken',
  'ExpiredTokenException',
  'MissingAuthenticationToken',
  'InvalidSecurity',
  'CredentialsProviderError',
]);

function errorName(error: unknown): string {
  if (typeof error !== 'object' || error === null) return '';
  const e = error as { name?: unknown; Code?: unknown; code?: unknown };
  if (typeof e.name === 'string' && e.name !== 'Error') return e.name;
  if (typeof e.Code === 'string') return e.Code;
  return typeof e.code === 'string' ? e.code : '';
}

/**
 * Turns an AWS error that retrying cannot fix (queue missing, credentials rejected) into a typed error;
 * `undefined` for everything else (network trouble, throttling, 5xx), which callers retry.
 */
export function fatalAwsError(
  error: unknown,
  queueUrl: string,
): QueueNotFoundError | CredentialsError | undefined {
  const name = errorName(error);
  if (QUEUE_MISSING.has(name)) return new QueueNotFoundError(queueUrl, { cause: error });
  if (CREDENTIALS.has(name)) {
    const detail = error instanceof Error ? error.message : String(error);
    return new CredentialsError(`AWS rejected the credentials (${name}): ${detail}`, { cause: error });
  }
  return undefined;
}

/** Whether `error` comes from an aborted request or signal. */
export function isAbortError(error: unknown): boolean {
  const name = errorName(error);
  return name === 'AbortError' || name === 'TimeoutError';
}

/** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
