import { createHash } from 'node:crypto';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { httpStatusOf, isNotFound } from '@media-server/jobs';

/** Where idempotency records live in the bucket (give the prefix a lifecycle rule of a day or two). */
export const IDEMPOTENCY_PREFIX = 'idempotency/';

/** A stored answer to a POST with an `Idempotency-Key`. */
export interface IdempotencyRecord {
  /** `pending` while the first request runs (a claim every replica sees); absent or `done` once answered. */
  state?: 'pending' | 'done';
  /** SHA-256 of the request body (canonical JSON). */
  requestHash: string;
  statusCode: number;
  contentType: string;
  /** The `Location` header of the first answer, if any. */
  location?: string;
  body: string;
  createdAt: string;
}

/** SHA-256 of a JSON value with object keys sorted, so that key order does not change the hash. */
export function hashRequestBody(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** What {@link IdempotencyStore.claim} found. */
export type IdempotencyClaim =
  | { kind: 'claimed' }
  | { kind: 'answered'; record: IdempotencyRecord }
  | { kind: 'running'; requestHash: string };

/**
 * Idempotency records in S3 (the system's only store), one object per (API key, route, key). The object
 * is also the "in flight" marker: the first request creates it as `pending` with a conditional write
 * (`If-None-Match: *`), so exactly one request among all API replicas runs; the others see it running
 * (or, later, its stored answer). A pending claim older than `pendingTtlSeconds` (its replica died) is
 * taken over with `If-Match`.
 */
export class IdempotencyStore {
  readonly #s3: S3Client;
  readonly #bucket: string;
  readonly #ttlMs: number;
  readonly #pendingTtlMs: number;

  constructor(options: { s3: S3Client; bucket: string; ttlSeconds: number; pendingTtlSeconds?: number }) {
    this.#s3 = options.s3;
    this.#bucket = options.bucket;
    this.#ttlMs = options.ttlSeconds * 1000;
    this.#pendingTtlMs = (options.pendingTtlSeconds ?? 120) * 1000;
  }

  /** The record's S3 key for a caller, a request target and the client's key. */
  scope(owner: string, target: string, idempotencyKey: string): string {
    const digest = createHash('sha256').update(`${owner}\n${target}\n${idempotencyKey}`).digest('hex');
    return `${IDEMPOTENCY_PREFIX}${digest}.json`;
  }

  /** Claims `scope` for a request, or says what holds it: a stored answer or a request still running. */
  async claim(scope: string, requestHash: string): Promise<IdempotencyClaim> {
    const pending: IdempotencyRecord = {
      state: 'pending',
      requestHash,
      statusCode: 0,
      contentType: '',
      body: '',
      createdAt: new Date().toISOString(),
    };
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      const existing = await this.#read(scope);
      if (existing !== undefined) {
        const age = Date.now() - Date.parse(existing.record.createdAt);
        const live = existing.record.state === 'pending' ? age <= this.#pendingTtlMs : age <= this.#ttlMs;
        if (live) {
          return existing.record.state === 'pending'
            ? { kind: 'running', requestHash: existing.record.requestHash }
            : { kind: 'answered', record: existing.record };
        }
      }
      try {
        await this.#write(
          scope,
          pending,
          existing === undefined ? { IfNoneMatch: '*' } : { IfMatch: existing.etag },
        );
        return { kind: 'claimed' };
      } catch (error) {
        const status = httpStatusOf(error);
        if (status !== 412 && status !== 409) throw error;
        // Another replica claimed or answered in between: look again.
      }
    }
    return { kind: 'running', requestHash };
  }

  /** Stores the answer of a claimed scope. */
  async put(scope: string, record: IdempotencyRecord): Promise<void> {
    await this.#write(scope, { ...record, state: 'done' }, {});
  }

  /** Gives a claim up (the request failed): a retry with the same key runs again. */
  async release(scope: string): Promise<void> {
    await this.#s3.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: scope }));
  }

  async #read(scope: string): Promise<{ record: IdempotencyRecord; etag: string } | undefined> {
    let text: string;
    let etag: string;
    try {
      const object = await this.#s3.send(new GetObjectCommand({ Bucket: this.#bucket, Key: scope }));
      text = (await object.Body?.transformToString('utf8')) ?? '';
      etag = object.ETag ?? '';
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
    try {
      return { record: JSON.parse(text) as IdempotencyRecord, etag };
    } catch {
      // Unreadable: treat it as expired (it is overwritten under If-Match).
      return {
        record: {
          requestHash: '',
          statusCode: 0,
          contentType: '',
          body: '',
          createdAt: new Date(0).toISOString(),
        },
        etag,
      };
    }
  }

  async #write(
    scope: string,
    record: IdempotencyRecord,
    condition: { IfMatch?: string; IfNoneMatch?: string },
  ): Promise<void> {
    await this.#s3.send(
      new PutObjectCommand({
        Bucket: this.#bucket,
        Key: scope,
        Body: JSON.stringify(record),
        ContentType: 'application/json',
        ...condition,
      }),
    );
  }
}
