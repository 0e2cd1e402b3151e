import { createHash } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { isNotFound } from './s3-errors.ts';

/** Where idempotency records live in the bucket (give the prefix a lifecycle rule of a day or two). */
export const IDEMPOTENCY_PREFIX = 'idempotency/';

/** A stored answer to a POST with an `Idempotency-Key`. */
export interface IdempotencyRecord {
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

/**
 * Idempotency records in S3 (the system's only store), one object per (API key, route, key), and a
 * per-process set of keys whose first request is still running.
 */
export class IdempotencyStore {
  readonly #s3: S3Client;
  readonly #bucket: string;
  readonly #ttlMs: number;
  readonly #inFlight = new Set<string>();

  constructor(options: { s3: S3Client; bucket: string; ttlSeconds: number }) {
    this.#s3 = options.s3;
    this.#bucket = options.bucket;
    this.#ttlMs = options.ttlSeconds * 1000;
  }

  /** The record's S3 key for a caller, a request target and the client's key. */
  scope(owner: string, target: string, idempotencyKey: string): string {
    const digest = createHash('sha256').update(`${owner}\n${target}\n${idempotencyKey}`).digest('hex');
    return `${IDEMPOTENCY_PREFIX}${digest}.json`;
  }

  /** The unexpired record, if any. */
  async get(scope: string): Promise<IdempotencyRecord | undefined> {
    let text: string;
    try {
      const object = await this.#s3.send(new GetObjectCommand({ Bucket: this.#bucket, Key: scope }));
      text = (await object.Body?.transformToString('utf8')) ?? '';
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
    let record: IdempotencyRecord;
    try {
      record = JSON.parse(text) as IdempotencyRecord;
    } catch {
      return undefined;
    }
    if (Date.now() - Date.parse(record.createdAt) > this.#ttlMs) return undefined;
    return record;
  }

  async put(scope: string, record: IdempotencyRecord): Promise<void> {
    await this.#s3.send(
      new PutObjectCommand({
        Bucket: this.#bucket,
        Key: scope,
        Body: JSON.stringify(record),
        ContentType: 'application/json',
      }),
    );
  }

  /** Marks a scope as running; false when it already is. */
  begin(scope: string): boolean {
    if (this.#inFlight.has(scope)) return false;
    this.#inFlight.add(scope);
    return true;
  }

  end(scope: string): void {
    this.#inFlight.delete(scope);
  }
}
