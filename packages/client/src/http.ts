import type { Problem } from './contract/problem.ts';
import { ApiError, ConnectionError } from './errors.ts';
import { sleep } from './sleep.ts';

export interface HttpSettings {
  baseUrl: string;
  apiKey: string;
  fetch: typeof fetch;
  /** Retries of a 429 or 503 answer (after `Retry-After`). */
  maxRetries: number;
}

export interface CallOptions {
  query?: Record<string, string | number | boolean | undefined> | undefined;
  body?: unknown;
  headers?: Record<string, string> | undefined;
  idempotencyKey?: string | undefined;
  signal?: AbortSignal | undefined;
}

const MAX_RETRY_DELAY_MS = 30_000;

/** The delay a `Retry-After` header asks for (seconds or an HTTP date); undefined when absent or bad. */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * One API request with the key, retried on 429 and 503 after `Retry-After` (or 1 s, 2 s, 4 s…);
 * throws {@link ApiError} for other non-2xx answers and {@link ConnectionError} when no answer comes.
 */
export async function send(
  settings: HttpSettings,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<Response> {
  const url = new URL(settings.baseUrl.replace(/\/$/, '') + path);
  for (const [name, value] of Object.entries(options.query ?? {})) {
    if (value !== undefined) url.searchParams.set(name, String(value));
  }
  const headers: Record<string, string> = {
    authorization: `Bearer ${settings.apiKey}`,
    ...options.headers,
  };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.idempotencyKey !== undefined) headers['idempotency-key'] = options.idempotencyKey;
  for (let attempt = 0; ; attempt += 1) {
    let response: Response;
    try {
      response = await settings.fetch(url, {
        method,
        headers,
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
    } catch (error) {
      options.signal?.throwIfAborted();
      throw new ConnectionError(settings.baseUrl, { cause: error });
    }
    if (response.ok) return response;
    const retryable = response.status === 429 || response.status === 503;
    if (!retryable || attempt >= settings.maxRetries) {
      throw new ApiError(response.status, await readProblem(response));
    }
    await response.body?.cancel();
    const delay = retryAfterMs(response.headers.get('retry-after')) ?? 1000 * 2 ** attempt;
    await sleep(Math.min(delay, MAX_RETRY_DELAY_MS), options.signal);
  }
}

/** {@link send}, then the JSON body (undefined for 204). */
export async function call<T>(
  settings: HttpSettings,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<T> {
  const response = await send(settings, method, path, options);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

export async function readProblem(response: Response): Promise<Problem | undefined> {
  try {
    const body = (await response.json()) as Problem;
    return typeof body === 'object' && body !== null ? body : undefined;
  } catch {
    return undefined;
  }
}
