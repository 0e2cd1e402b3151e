import { createHash } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { httpStatusOf, isNotFound } from '@media-server/jobs';
import { ApiError } from './errors.ts';

/** Where the shared per-key counters live in the bucket. */
export const LIMITS_PREFIX = 'limits/';

/** One caller's events in the window, oldest first, or how long until the next one is allowed. */
type Admission = { ok: true; events: number[] } | { ok: false; events: number[]; retryAfterSeconds: number };

/** The sliding-window rule: at most `limit` events in any `windowMs`. Pure. */
export function admitEvent(
  events: readonly number[],
  now: number,
  limit: number,
  windowMs: number,
): Admission {
  const since = now - windowMs;
  const recent = events.filter((at) => at > since);
  if (recent.length >= limit) {
    const retryAfterSeconds = Math.max(1, Math.ceil(((recent[0] ?? now) + windowMs - now) / 1000));
    return { ok: false, events: recent, retryAfterSeconds };
  }
  return { ok: true, events: [...recent, now] };
}

function refuse(limit: number, retryAfterSeconds: number): ApiError {
  return new ApiError(
    'RATE_LIMITED',
    `at most ${limit} uploads per hour for this API key; try again in ${retryAfterSeconds} s`,
    { headers: { 'retry-after': String(retryAfterSeconds) } },
  );
}

/** Counts events per caller in a sliding window in this process (tests, a single replica). */
export class SlidingWindowLimit {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #events = new Map<string, number[]>();

  constructor(limit: number, windowMs: number) {
    this.#limit = limit;
    this.#windowMs = windowMs;
  }

  /** Records one event for `caller`; ApiError RATE_LIMITED (with Retry-After) past the limit. */
  async take(caller: string, now: number = Date.now()): Promise<void> {
    const admission = admitEvent(this.#events.get(caller) ?? [], now, this.#limit, this.#windowMs);
    this.#events.set(caller, admission.events);
    if (!admission.ok) throw refuse(this.#limit, admission.retryAfterSeconds);
  }
}

/**
 * The same sliding window, kept in S3 so that every API replica counts against one limit: one object per
 * caller holding the event times of the window, updated with conditional writes (`If-Match` /
 * `If-None-Match`), retried when another replica wrote in between.
 */
export class S3SlidingWindowLimit {
  readonly #s3: S3Client;
  readonly #bucket: string;
  readonly #limit: number;
  readonly #windowMs: number;

  constructor(options: { s3: S3Client; bucket: string; limit: number; windowMs: number }) {
    this.#s3 = options.s3;
    this.#bucket = options.bucket;
    this.#limit = options.limit;
    this.#windowMs = options.windowMs;
  }

  /** Records one event for `caller`; ApiError RATE_LIMITED (with Retry-After) past the limit. */
  async take(caller: string, now: number = Date.now()): Promise<void> {
    const key = `${LIMITS_PREFIX}uploads/${createHash('sha256').update(caller).digest('hex')}.json`;
    for (let attempt = 1; ; attempt += 1) {
      const current = await this.#read(key);
      const admission = admitEvent(current?.events ?? [], now, this.#limit, this.#windowMs);
      if (!admission.ok) throw refuse(this.#limit, admission.retryAfterSeconds);
      try {
        await this.#s3.send(
          new PutObjectCommand({
            Bucket: this.#bucket,
            Key: key,
            Body: JSON.stringify({ events: admission.events }),
            ContentType: 'application/json',
            ...(current === undefined ? { IfNoneMatch: '*' } : { IfMatch: current.etag }),
          }),
        );
        return;
      } catch (error) {
        const status = httpStatusOf(error);
        if ((status === 412 || status === 409) && attempt < 20) continue;
        throw error;
      }
    }
  }

  async #read(key: string): Promise<{ events: number[]; etag: string } | undefined> {
    try {
      const object = await this.#s3.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
      const text = (await object.Body?.transformToString('utf8')) ?? '';
      const parsed = JSON.parse(text) as { events?: unknown };
      const events = Array.isArray(parsed.events) ? parsed.events.filter((n) => typeof n === 'number') : [];
      return { events, etag: object.ETag ?? '' };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      if (error instanceof SyntaxError) return undefined;
      throw error;
    }
  }
}
