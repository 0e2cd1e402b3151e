import type { EventEmitter } from 'node:events';
import type { RequestListener } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { LocalAwsError } from './local-aws-error.ts';

// Every reach of local-aws into s3rver goes through this module: the files it loads by path, the store
// methods it replaces, the on-disk layout it reads and the middleware array it splices. They are not
// s3rver's public API, so the version is pinned exactly (package.json) and `S3RVER_REACHES` lists each
// reach with a check: startS3Server runs them before touching s3rver, and test/s3/s3rver-reaches.test.ts
// runs each as its own named test, so an s3rver upgrade fails loudly and says which reach broke.

/** The s3rver package and the one version this module is written against. */
export const S3RVER_PACKAGE = '@20minutes/s3rver';
export const S3RVER_VERSION = '5.0.0';

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

/** The store methods local-aws replaces (wrapping s3rver's own), with the arity it was written against. */
export const REPLACED_STORE_METHODS: {
  readonly putContent: 2;
  readonly putMetadata: 4;
  readonly putObject: 1;
  readonly copyObject: 5;
  readonly deleteObject: 2;
  readonly getObject: 3;
  readonly listObjects: 2;
  readonly putObjectMultipart: 3;
} = {
  putContent: 2,
  putMetadata: 4,
  putObject: 1,
  copyObject: 5,
  deleteObject: 2,
  getObject: 3,
  listObjects: 2,
  putObjectMultipart: 3,
} as const;
type ReplacedStoreMethod = keyof typeof REPLACED_STORE_METHODS;

/** The store methods local-aws only calls. */
const CALLED_STORE_METHODS = ['getBucket', 'getMetadata', 'getResourcePath'] as const;

/**
 * Replaces one of s3rver's store methods. `replace` gets the original (bound to the store) and returns the
 * replacement; only the methods in {@link REPLACED_STORE_METHODS} can be replaced.
 */
export function replaceStoreMethod<M extends ReplacedStoreMethod>(
  store: S3rverStore,
  method: M,
  replace: (original: S3rverStore[M]) => S3rverStore[M],
): void {
  const original = store[method];
  if (typeof original !== 'function') throw reachBroken(`store.${method}`, 'is not a function');
  store[method] = replace(original.bind(store) as S3rverStore[M]);
}

/** The Koa context as s3rver's middleware sees it (the fields local-aws uses). */
export interface S3rverContext {
  method: string;
  path: string;
  req: AsyncIterable<Buffer>;
  type: string;
  body: unknown;
  query: Record<string, string | string[] | undefined>;
  headers: import('node:http').IncomingHttpHeaders;
  status: number;
  ip: string;
  params?: Record<string, string>;
  set(name: string, value: string): void;
}
/** A Koa middleware in s3rver's app. */
export type S3rverMiddleware = (ctx: S3rverContext, next: () => Promise<void>) => Promise<void>;

/** One record of the `event` s3rver emits for a created, copied or deleted object. */
export interface S3rverRecord {
  eventName: string;
  s3: { bucket: { name: string }; object: { key: string; size?: number; eTag?: string } };
}
/** What s3rver emits as `event`. */
export interface S3rverEvent {
  Records: S3rverRecord[];
}

/** An s3rver instance (a Koa application). */
export interface S3rverInstance extends EventEmitter {
  /** Read by s3rver's authentication middleware: `false` makes it verify signatures strictly. */
  allowMismatchedSignatures: boolean;
  middleware: S3rverMiddleware[];
  logger: { close(): void };
  store: S3rverStore;
  configureBuckets(): Promise<unknown>;
  callback(): RequestListener;
}

interface AwsAccountModule {
  registry: Map<string, unknown>;
  DUMMY_ACCOUNT: { createKeyPair(accessKeyId: string, secretAccessKey: string): void };
}

/** s3rver's S3 error: `onerror` answers it with S3's XML error body and the code's HTTP status. */
export type S3rverError = Error & { code: string; status: number };
type S3rverErrorConstructor = new (
  code: string,
  message: string,
  detail?: Record<string, string>,
) => S3rverError;
type MiddlewareFactory = () => (ctx: unknown, next: () => Promise<void>) => Promise<void>;

/** The s3rver files loaded by path (not exported by the package), relative to the package root. */
export const S3RVER_INTERNAL_FILES = {
  error: 'lib/models/error',
  object: 'lib/models/object',
  account: 'lib/models/account',
  authentication: 'lib/middleware/authentication',
  cors: 'lib/middleware/cors',
} as const;

/** The error thrown when s3rver no longer looks the way a reach expects. */
export class S3rverReachError extends LocalAwsError {
  /** Which reach broke (`lib/models/error`, `store.putObject`, `middleware order`, …). */
  readonly reach: string;

  constructor(reach: string, problem: string, options?: ErrorOptions) {
    super(
      'S3rverIncompatible',
      `local-aws's reach into s3rver "${reach}" broke: ${problem} (local-aws is written against ${S3RVER_PACKAGE} ${S3RVER_VERSION}, installed: ${installedVersion()})`,
      options,
    );
    this.name = 'S3rverReachError';
    this.reach = reach;
  }
}

function reachBroken(reach: string, problem: string, cause?: unknown): S3rverReachError {
  return new S3rverReachError(reach, problem, cause === undefined ? undefined : { cause });
}

const require = createRequire(import.meta.url);

function installedVersion(): string {
  try {
    return (require(`${S3RVER_PACKAGE}/package.json`) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function load<T>(file: string): T {
  try {
    return require(file === '' ? S3RVER_PACKAGE : `${S3RVER_PACKAGE}/${file}`) as T;
  } catch (error) {
    throw reachBroken(file === '' ? S3RVER_PACKAGE : file, 'the file cannot be loaded', error);
  }
}

/** Creates an s3rver instance (not listening yet). */
export function createS3rver(options: Record<string, unknown>): S3rverInstance {
  const S3rver = load<new (options: Record<string, unknown>) => S3rverInstance>('');
  return new S3rver(options);
}

/**
 * An S3 error that s3rver renders as `<Error><Code>…` with the status S3 uses for `code`
 * (`PreconditionFailed` 412, `NoSuchUpload` 404...). Throw it from a middleware or the store.
 */
export function s3Error(code: string, message: string, detail?: Record<string, string>): S3rverError {
  const S3Error = load<S3rverErrorConstructor>(S3RVER_INTERNAL_FILES.error);
  return new S3Error(code, message, detail);
}

/** Metadata headers s3rver keeps with an object (besides `x-amz-meta-*`). */
export function allowedMetadata(): readonly string[] {
  return load<{ ALLOWED_METADATA: string[] }>(S3RVER_INTERNAL_FILES.object).ALLOWED_METADATA;
}

/** Makes s3rver accept `accessKeyId` (with itself as secret): it only knows keys in its registry. */
export function acceptAccessKey(accessKeyId: string): void {
  const accounts = load<AwsAccountModule>(S3RVER_INTERNAL_FILES.account);
  if (!accounts.registry.has(accessKeyId)) accounts.DUMMY_ACCOUNT.createKeyPair(accessKeyId, accessKeyId);
}

/**
 * Registers a key pair in s3rver's key registry (process-wide: every s3rver of the process knows it), so
 * its signature check accepts requests signed with it.
 */
export function registerKeyPair(accessKeyId: string, secretAccessKey: string): void {
  load<AwsAccountModule>(S3RVER_INTERNAL_FILES.account).DUMMY_ACCOUNT.createKeyPair(
    accessKeyId,
    secretAccessKey,
  );
}

let authenticateMiddleware: ReturnType<MiddlewareFactory> | undefined;
let corsMiddleware: ReturnType<MiddlewareFactory> | undefined;

/** s3rver's request authentication (signature parsing, presigned URL expiry) as a Koa middleware. */
export function authenticate(ctx: unknown, next: () => Promise<void>): Promise<void> {
  authenticateMiddleware ??= load<MiddlewareFactory>(S3RVER_INTERNAL_FILES.authentication)();
  return authenticateMiddleware(ctx, next);
}

/** s3rver's bucket CORS middleware (answers `Access-Control-*` from the bucket's CORS rules). */
export function applyCors(ctx: unknown, next: () => Promise<void>): Promise<void> {
  corsMiddleware ??= load<MiddlewareFactory>(S3RVER_INTERNAL_FILES.cors)();
  return corsMiddleware(ctx, next);
}

/**
 * Adds middleware to s3rver's app: `outermost` before all of s3rver's own (it sees the final status),
 * `beforeRouter` just before s3rver's router, its last middleware, so inside its XML encoder (the body is
 * still an object there).
 */
export function spliceMiddleware(
  server: S3rverInstance,
  added: { outermost: S3rverMiddleware; beforeRouter: S3rverMiddleware },
): void {
  const router = server.middleware.at(-1) as { router?: unknown } | undefined;
  if (typeof router?.router !== 'object') {
    throw reachBroken('middleware order', "s3rver's last middleware is no longer its router");
  }
  server.middleware.unshift(added.outermost);
  server.middleware.splice(server.middleware.length - 1, 0, added.beforeRouter);
}

// On-disk layout: s3rver keeps an object's files at `<root>/<bucket>/<key dirs>/<name>._S3rver_<resource>`
// (resources `object`, `object.md5`, `metadata.json`) and an upload in `<bucket>/._S3rver_uploads/<uploadId>/`:
// `key`, `metadata`, and for each part `<partNumber>` (the bytes) and `<partNumber>.md5` (hex MD5, written
// after the bytes).

/** The files of a stored object. */
export type ObjectResource = 'object' | 'object.md5' | 'metadata.json';

/** Path of one of an object's files. */
export function objectResourcePath(
  store: S3rverStore,
  bucket: string,
  key: string,
  resource: ObjectResource,
): string {
  return store.getResourcePath(bucket, key, resource);
}

/** The directory of a multipart upload. */
export function uploadDirectoryPath(store: S3rverStore, bucket: string, uploadId: string): string {
  return join(store.getResourcePath(bucket, undefined, 'uploads'), uploadId);
}

/** Files of an upload directory: the object key, the metadata, and each part with its MD5. */
export const UPLOAD_FILES = {
  key: 'key',
  metadata: 'metadata',
  part: (partNumber: number | string): string => String(partNumber),
  partMd5: (partNumber: number | string): string => `${partNumber}.md5`,
  /** True for a part's file name (`1`, `2`, …). */
  isPart: (name: string): boolean => /^[1-9]\d*$/.test(name),
} as const;

/** One reach and how to check it against a fresh (not yet modified) s3rver instance. */
export interface S3rverReach {
  readonly name: string;
  check(server: S3rverInstance): void;
}

function expectFunction(reach: string, value: unknown, arity?: number): void {
  if (typeof value !== 'function') throw reachBroken(reach, `expected a function, got ${typeof value}`);
  if (arity !== undefined && value.length !== arity) {
    throw reachBroken(reach, `expected ${arity} parameters, it now declares ${value.length}`);
  }
}

/** Every reach into s3rver, each with a check that throws {@link S3rverReachError} naming it. */
export const S3RVER_REACHES: readonly S3rverReach[] = [
  {
    name: 'version',
    check: () => {
      const installed = installedVersion();
      if (installed !== S3RVER_VERSION)
        throw reachBroken('version', `installed ${installed}, pinned ${S3RVER_VERSION}`);
    },
  },
  {
    name: S3RVER_INTERNAL_FILES.error,
    check: () => {
      const error = s3Error('NoSuchUpload', 'probe', { UploadId: 'x' });
      if (!(error instanceof Error) || error.code !== 'NoSuchUpload' || error.status !== 404) {
        throw reachBroken(
          S3RVER_INTERNAL_FILES.error,
          'no longer builds an Error with code and status 404 for NoSuchUpload',
        );
      }
    },
  },
  {
    name: S3RVER_INTERNAL_FILES.object,
    check: () => {
      const allowed: unknown = allowedMetadata();
      if (!Array.isArray(allowed) || !allowed.includes('content-type')) {
        throw reachBroken(
          S3RVER_INTERNAL_FILES.object,
          'ALLOWED_METADATA is no longer a list with content-type',
        );
      }
    },
  },
  {
    name: S3RVER_INTERNAL_FILES.account,
    check: () => {
      const accounts = load<Partial<AwsAccountModule>>(S3RVER_INTERNAL_FILES.account);
      if (!(accounts.registry instanceof Map))
        throw reachBroken(S3RVER_INTERNAL_FILES.account, 'registry is not a Map');
      expectFunction(
        `${S3RVER_INTERNAL_FILES.account} DUMMY_ACCOUNT.createKeyPair`,
        accounts.DUMMY_ACCOUNT?.createKeyPair,
      );
    },
  },
  ...([S3RVER_INTERNAL_FILES.authentication, S3RVER_INTERNAL_FILES.cors] as const).map(
    (file): S3rverReach => ({
      name: file,
      check: () => {
        const factory = load<unknown>(file);
        expectFunction(`${file} (factory)`, factory, 0);
        expectFunction(`${file} (middleware)`, (factory as MiddlewareFactory)(), 2);
      },
    }),
  ),
  {
    name: 'instance (store, middleware, event, configureBuckets, callback, logger)',
    check: (server) => {
      const reach = 'instance';
      if (!Array.isArray(server.middleware)) throw reachBroken(reach, 'middleware is not an array');
      if (typeof server.store !== 'object' || server.store === null) throw reachBroken(reach, 'no store');
      expectFunction(`${reach}.on`, server.on);
      expectFunction(`${reach}.configureBuckets`, server.configureBuckets);
      expectFunction(`${reach}.callback`, server.callback);
      expectFunction(`${reach}.logger.close`, server.logger?.close);
    },
  },
  ...Object.entries(REPLACED_STORE_METHODS).map(
    ([method, arity]): S3rverReach => ({
      name: `store.${method} (replaced)`,
      check: (server) =>
        expectFunction(`store.${method}`, server.store[method as ReplacedStoreMethod], arity),
    }),
  ),
  ...CALLED_STORE_METHODS.map(
    (method): S3rverReach => ({
      name: `store.${method} (called)`,
      check: (server) => expectFunction(`store.${method}`, server.store[method]),
    }),
  ),
  {
    name: 'middleware order',
    check: (server) => {
      const router = server.middleware.at(-1) as { router?: unknown } | undefined;
      if (typeof router?.router !== 'object') {
        throw reachBroken('middleware order', "s3rver's last middleware is no longer its router");
      }
    },
  },
  {
    name: 'on-disk layout (resource paths)',
    check: (server) => {
      const root = (server.store as { rootDirectory?: unknown }).rootDirectory;
      if (typeof root !== 'string')
        throw reachBroken('on-disk layout (resource paths)', 'store.rootDirectory is gone');
      const expected = {
        object: join(root, 'b', 'dir', 'k._S3rver_object'),
        uploads: join(root, 'b', '._S3rver_uploads'),
      };
      const actual = {
        object: objectResourcePath(server.store, 'b', 'dir/k', 'object'),
        uploads: server.store.getResourcePath('b', undefined, 'uploads'),
      };
      if (actual.object !== expected.object || actual.uploads !== expected.uploads) {
        throw reachBroken(
          'on-disk layout (resource paths)',
          `expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`,
        );
      }
    },
  },
];

/** Runs every check of {@link S3RVER_REACHES}; throws the first {@link S3rverReachError}. */
export function checkS3rverReaches(server: S3rverInstance): void {
  for (const reach of S3RVER_REACHES) reach.check(server);
}
