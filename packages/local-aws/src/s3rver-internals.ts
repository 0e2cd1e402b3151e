import { createRequire } from 'node:module';

// The parts of s3rver (CommonJS, without type declarations) that the layer in front of it uses.

/** An object as s3rver's controllers hand it to the store. */
export interface S3rverObject {
  bucket: string;
  key: string;
  /** A stream, or a Buffer (or string) for small bodies. */
  content: unknown;
  /** Request headers, filtered by s3rver to what it stores. */
  metadata: Record<string, string>;
}

/** s3rver's `FilesystemStore`. */
export interface S3rverStore {
  getBucket(name: string): Promise<unknown>;
  /** Rejects with `ENOENT` when the object does not exist. */
  getMetadata(bucket: string, key: string): Promise<Record<string, string>>;
  getResourcePath(bucket: string, key: string | undefined, resource: string): string;
  putContent(path: string, content: unknown): Promise<[number, string]>;
  putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5?: string): Promise<void>;
  putObject(object: S3rverObject): Promise<{ size: number; md5: string }>;
  copyObject(
    srcBucket: string,
    srcKey: string,
    destBucket: string,
    destKey: string,
    replacementMetadata: Record<string, string> | null,
  ): Promise<Record<string, string>>;
  deleteObject(bucket: string, key: string): Promise<void>;
  getObject(bucket: string, key: string, options?: unknown): Promise<unknown>;
  /** Assembles an upload's parts (`etag` unquoted) into its object. */
  putObjectMultipart(
    bucket: string,
    uploadId: string,
    parts: { number: number; etag: string }[],
  ): Promise<{ size: number; md5: string }>;
  listObjects(
    bucket: string,
    options: {
      delimiter?: string | undefined;
      startAfter?: string | undefined;
      prefix?: string | undefined;
      maxKeys?: number | undefined;
    },
  ): Promise<{ objects: { key: string }[]; commonPrefixes: string[]; isTruncated: boolean }>;
}

/** s3rver's S3 error: `onerror` answers it with S3's XML error body and the code's HTTP status. */
export type S3rverError = Error & { code: string; status: number };
type S3rverErrorConstructor = new (
  code: string,
  message: string,
  detail?: Record<string, string>,
) => S3rverError;

const require = createRequire(import.meta.url);
const S3Error = require('@20minutes/s3rver/lib/models/error') as S3rverErrorConstructor;

/**
 * An S3 error that s3rver renders as `<Error><Code>…` with the status S3 uses for `code`
 * (`PreconditionFailed` 412, `NoSuchUpload` 404...). Throw it from a middleware or the store.
 */
export function s3Error(code: string, message: string, detail?: Record<string, string>): S3rverError {
  return new S3Error(code, message, detail);
}

/** Metadata headers s3rver keeps with an object (besides `x-amz-meta-*`). */
export const ALLOWED_METADATA: readonly string[] = (
  require('@20minutes/s3rver/lib/models/object') as { ALLOWED_METADATA: string[] }
).ALLOWED_METADATA;

/** s3rver's request authentication (signature parsing, presigned URL expiry) as a Koa middleware. */
export const authenticate: (ctx: unknown, next: () => Promise<void>) => Promise<void> = (
  require('@20minutes/s3rver/lib/middleware/authentication') as () => (
    ctx: unknown,
    next: () => Promise<void>,
  ) => Promise<void>
)();

/** s3rver's bucket CORS middleware (answers `Access-Control-*` from the bucket's CORS rules). */
export const applyCors: (ctx: unknown, next: () => Promise<void>) => Promise<void> = (
  require('@20minutes/s3rver/lib/middleware/cors') as () => (
    ctx: unknown,
    next: () => Promise<void>,
  ) => Promise<void>
)();
