import { AsyncLocalStorage } from 'node:async_hooks';
import type { EventEmitter } from 'node:events';
import { createServer, type IncomingHttpHeaders, type RequestListener } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { KeyedLock } from './keyed-lock.ts';
import { isAddressInUse, PortInUseError } from './local-aws-error.ts';
import { makeStoreAtomic } from './s3-atomic-store.ts';
import {
  newHostId,
  newRequestId,
  type ObjectCreatedFacts,
  type S3ObjectCreatedEventName,
  Sequencer,
} from './s3-event.ts';
import { listObjectsMiddleware, pageListObjects } from './s3-list-objects.ts';
import {
  abortUpload,
  checkCompletedParts,
  checkPartNumber,
  existingUpload,
  listPartsXml,
} from './s3-multipart.ts';
import { S3ApiError, s3ErrorXml } from './s3-notification-xml.ts';
import { parseWriteConditions, type WriteConditions } from './s3-write-conditions.ts';
import { applyCors, authenticate, type S3rverStore, s3Error } from './s3rver-internals.ts';

/** Options of the embedded S3 server (s3rver underneath). */
export interface S3ServerOptions {
  /** Interface to listen on. */
  host: string;
  /** Port; 0 picks a free one. */
  port: number;
  /** Directory where s3rver keeps buckets and objects. */
  directory: string;
  /** Buckets created (if missing) before the server accepts requests. */
  buckets: readonly string[];
  /** Give each of `buckets` a permissive CORS rule so browsers can PUT to presigned URLs. */
  cors: boolean;
  /**
   * Verify signatures as S3 does (s3rver's SigV2/SigV4 check) against `credentials`; when false any
   * credentials and signature are accepted.
   */
  checkSignatures: boolean;
  /** The one key pair S3 requests must be signed with while `checkSignatures` is on. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /**
   * Called for each object an S3 request created, before that request's response is sent. A rejection
   * is passed to `onError`; the S3 request still succeeds.
   */
  onObjectCreated: (facts: ObjectCreatedFacts) => Promise<void>;
  /**
   * Serves `GetBucketNotificationConfiguration` (returns the XML) and
   * `PutBucketNotificationConfiguration` (gets the XML body) for existing buckets; throw `S3ApiError`.
   */
  notificationConfiguration: {
    get(bucket: string): Promise<string>;
    put(bucket: string, xml: string, skipDestinationValidation: boolean): Promise<void>;
  };
  /** Receives a rejection of `onObjectCreated` with the facts it was called with. */
  onError: (error: unknown, facts: ObjectCreatedFacts) => void;
}

/** A running S3 server. */
export interface S3Server {
  /** Base URL, e.g. `http://127.0.0.1:4567`; use it with `forcePathStyle: true`. */
  readonly endpoint: string;
  /** True when the bucket exists in the store. */
  bucketExists(name: string): Promise<boolean>;
  /** Stops listening and closes every open connection. */
  stop(): Promise<void>;
}

// The parts of s3rver (a CommonJS Koa app without type declarations) this module uses.
interface KoaContext {
  method: string;
  path: string;
  req: AsyncIterable<Buffer>;
  type: string;
  body: unknown;
  query: Record<string, string | string[] | undefined>;
  headers: IncomingHttpHeaders;
  status: number;
  ip: string;
  params?: Record<string, string>;
  set(name: string, value: string): void;
}
type KoaMiddleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>;
interface S3rverRecord {
  eventName: string;
  s3: { bucket: { name: string }; object: { key: string; size?: number; eTag?: string } };
}
interface S3rverEvent {
  Records: S3rverRecord[];
}
interface S3rverInstance extends EventEmitter {
  allowMismatchedSignatures: boolean;
  middleware: KoaMiddleware[];
  logger: { close(): void };
  store: S3rverStore;
  configureBuckets(): Promise<unknown>;
  callback(): RequestListener;
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance;
interface AwsAccountModule {
  registry: Map<string, unknown>;
  DUMMY_ACCOUNT: { createKeyPair(accessKeyId: string, secretAccessKey: string): void };
}

const require = createRequire(import.meta.url);

/** Permissive CORS: any origin, every method, any request header, the headers an uploader reads. */
export const PERMISSIVE_CORS_XML: string = [
  '<CORSConfiguration>',
  '<CORSRule>',
  '<AllowedOrigin>*</AllowedOrigin>',
  ...['GET', 'PUT', 'POST', 'DELETE', 'HEAD'].map((m) => `<AllowedMethod>${m}</AllowedMethod>`),
  '<AllowedHeader>*</AllowedHeader>',
  ...['ETag', 'x-amz-request-id', 'x-amz-id-2', 'x-amz-version-id'].map(
    (h) => `<ExposeHeader>${h}</ExposeHeader>`,
  ),
  '<MaxAgeSeconds>3000</MaxAgeSeconds>',
  '</CORSRule>',
  '</CORSConfiguration>',
].join('');

function firstValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The access key id a request was signed with (header or presigned query), if any. */
function accessKeyIdOf(ctx: KoaContext): string | undefined {
  const authorization = firstValue(ctx.headers.authorization);
  const fromHeader = authorization?.match(/Credential=([^/,\s]+)/)?.[1];
  if (fromHeader) return fromHeader;
  const v2 = authorization?.match(/^AWS ([^:]+):/)?.[1];
  if (v2) return v2;
  const credential = firstValue(ctx.query['X-Amz-Credential']);
  if (credential) return credential.split('/')[0];
  return firstValue(ctx.query.AWSAccessKeyId);
}

const encodeComponent = globalThis.encodeURIComponent;

/** `encodeURIComponent` as RFC 3986 (and SigV4) has it: `!'()*` are encoded too. */
function encodeRfc3986(value: string | number | boolean): string {
  return encodeComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** True when a request carries a signature (header, SigV4 query or SigV2 query). */
function isSigned(ctx: KoaContext): boolean {
  return 'authorization' in ctx.headers || 'X-Amz-Algorithm' in ctx.query || 'Signature' in ctx.query;
}

/**
 * S3 URL-decodes `x-amz-copy-source` completely; s3rver applies `decodeURI`, which leaves `%2B`, `%23`,
 * `%3F`... encoded and so misses keys with `+`, `#`, `?`, `&`... Rewrite the header into the form
 * whose `decodeURI` is the real source, and drop a `?versionId=` (there are no versions here).
 */
function normalizeCopySource(ctx: KoaContext): void {
  const raw = firstValue(ctx.headers['x-amz-copy-source']);
  if (raw === undefined) return;
  const withoutVersion = raw.replace(/\?versionId=[^&]*$/, '');
  let decoded: string;
  try {
    decoded = decodeURIComponent(withoutVersion);
  } catch {
    return; // malformed: let s3rver answer as it does
  }
  ctx.headers['x-amz-copy-source'] = encodeURI(decoded);
}

/** Bucket and key of a path-style object URL (`/bucket/key`), decoded. */
interface ObjectTarget {
  bucket: string;
  key: string;
}

function objectTargetOf(ctx: KoaContext): ObjectTarget | undefined {
  const match = ctx.path.match(/^\/([^/]+)\/(.+)$/s);
  if (!match?.[1] || !match[2]) return undefined;
  try {
    return { bucket: decodeURIComponent(match[1]), key: decodeURIComponent(match[2]) };
  } catch {
    return undefined; // malformed: let s3rver answer as it does
  }
}

/** Requests whose `If-Match` / `If-None-Match` S3 applies to the written object. */
function isConditionalWrite(ctx: KoaContext): boolean {
  if (objectTargetOf(ctx) === undefined) return false;
  if (ctx.method === 'POST') return 'uploadId' in ctx.query;
  if (ctx.method !== 'PUT') return false;
  return !['uploadId', 'partNumber', 'tagging', 'acl', 'retention', 'legal-hold'].some(
    (name) => name in ctx.query,
  );
}

function classify(ctx: KoaContext): S3ObjectCreatedEventName | undefined {
  if (ctx.method === 'PUT') {
    return 'x-amz-copy-source' in ctx.headers ? 'ObjectCreated:Copy' : 'ObjectCreated:Put';
  }
  if (ctx.method === 'POST') {
    return 'uploadId' in ctx.query ? 'ObjectCreated:CompleteMultipartUpload' : 'ObjectCreated:Post';
  }
  return undefined;
}

/** The host clients should connect to: a wildcard address becomes loopback. */
export function connectableHost(address: AddressInfo): string {
  if (address.address === '0.0.0.0') return '127.0.0.1';
  if (address.address === '::') return '[::1]';
  return address.family === 'IPv6' ? `[${address.address}]` : address.address;
}

/**
 * Starts s3rver with our additions: signatures checked against one key pair (or any credentials
 * accepted when `checkSignatures` is off), S3 request ids on every response,
 * and for every created object the facts S3 puts in an event, with the event type told apart the way
 * S3 does (s3rver itself reports a completed multipart upload as a POST and a copy without an ETag).
 */
export async function startS3Server(options: S3ServerOptions): Promise<S3Server> {
  const S3rver = require('@20minutes/s3rver') as S3rverConstructor;
  const accounts = require('@20minutes/s3rver/lib/models/account') as AwsAccountModule;
  const server = new S3rver({
    address: options.host,
    port: options.port,
    directory: options.directory,
    silent: true,
    vhostBuckets: false,
    // s3rver's own check runs in its router, after our rewrites of the request (copy source, list
    // tokens): it only parses there, and `checkSignature` below verifies the request as it came.
    allowMismatchedSignatures: true,
    resetOnClose: false,
    configureBuckets: options.buckets.map((name) => ({
      name,
      configs: options.cors ? [PERMISSIVE_CORS_XML] : [],
    })),
  });

  // s3rver's key registry is process-wide: the key pair is registered for every server of the process.
  accounts.DUMMY_ACCOUNT.createKeyPair(options.credentials.accessKeyId, options.credentials.secretAccessKey);

  const sequencer = new Sequencer();
  const requestEvents = new AsyncLocalStorage<S3rverEvent[]>();
  server.on('event', (event: S3rverEvent) => requestEvents.getStore()?.push(event));

  /** The facts of one created object: s3rver's record completed with the request's own data. */
  async function factsOf(
    record: S3rverRecord,
    request: {
      eventName: S3ObjectCreatedEventName;
      requestId: string;
      hostId: string;
      accessKeyId: string | undefined;
      sourceIp: string;
    },
  ): Promise<ObjectCreatedFacts> {
    const bucket = record.s3.bucket.name;
    const key = record.s3.object.key;
    let eTag = record.s3.object.eTag;
    let size = record.s3.object.size ?? 0;
    if (eTag === undefined) {
      // s3rver's Copy record has no ETag: read it from the copy's metadata.
      const metadata = await server.store.getMetadata(bucket, key).catch(() => undefined);
      eTag = metadata?.etag ?? '';
      size = Number(metadata?.['content-length'] ?? size);
    }
    return {
      eventName: request.eventName,
      bucket,
      key,
      size,
      eTag: eTag.replaceAll('"', ''),
      sourceIp: request.sourceIp,
      principalId: request.accessKeyId ? `AWS:${request.accessKeyId}` : 'ANONYMOUS_PRINCIPAL',
      requestId: request.requestId,
      hostId: request.hostId,
      time: new Date(),
      sequencer: sequencer.next(),
    };
  }

  const objectLocks = new KeyedLock();
  const uploadLocks = new KeyedLock();
  const requestConditions = new AsyncLocalStorage<WriteConditions | undefined>();
  pageListObjects(server.store);
  checkCompletedParts(server.store);
  makeStoreAtomic(server.store, { locks: objectLocks, conditionsOf: () => requestConditions.getStore() });

  const localAwsMiddleware: KoaMiddleware = async (ctx, next) => {
    const requestId = newRequestId();
    const hostId = newHostId();
    ctx.set('x-amz-request-id', requestId);
    ctx.set('x-amz-id-2', hostId);
    const accessKeyId = accessKeyIdOf(ctx);
    // Unchecked: accept any credentials, as the SQS side does (s3rver only knows keys in its registry).
    if (!options.checkSignatures && accessKeyId && !accounts.registry.has(accessKeyId)) {
      accounts.DUMMY_ACCOUNT.createKeyPair(accessKeyId, accessKeyId);
    }
    if (options.checkSignatures) await checkSignature(ctx);
    const notificationBucket = ctx.path.match(/^\/([^/]+)\/?$/)?.[1];
    if (notificationBucket && 'notification' in ctx.query && (ctx.method === 'GET' || ctx.method === 'PUT')) {
      await serveNotificationConfiguration(ctx, decodeURIComponent(notificationBucket), requestId);
      return;
    }
    const target = objectTargetOf(ctx);
    const uploadId = firstValue(ctx.query.uploadId);
    if (target && uploadId !== undefined) {
      // Multipart: s3rver has no ListParts and no AbortMultipartUpload, and takes parts for any upload id.
      const uploadLock = `${target.bucket}\0${uploadId}`;
      if (ctx.method === 'GET' || ctx.method === 'DELETE') {
        await serveMultipart(ctx, target, uploadId, uploadLock);
        return;
      }
      if (ctx.method === 'PUT') {
        checkPartNumber(firstValue(ctx.query.partNumber));
        await uploadLocks.shared(uploadLock, async () => {
          await existingUpload(server.store, target.bucket, target.key, uploadId);
          await handle(ctx, next, { requestId, hostId, accessKeyId });
        });
        return;
      }
      if (ctx.method === 'POST') {
        await uploadLocks.exclusive(uploadLock, async () => {
          await existingUpload(server.store, target.bucket, target.key, uploadId);
          await handle(ctx, next, { requestId, hostId, accessKeyId });
        });
        return;
      }
    }
    await handle(ctx, next, { requestId, hostId, accessKeyId });
  };

  /**
   * Verifies the request's signature as S3 does, before anything rewrites it: s3rver's check (SigV2
   * and SigV4, header or presigned query, expiry, signed headers) run strictly, on the bucket and key
   * of the path. Anonymous requests are refused, as by a private bucket (s3rver would serve them).
   */
  async function checkSignature(ctx: KoaContext): Promise<void> {
    if (ctx.method === 'OPTIONS') return; // CORS preflight: never signed
    if (!isSigned(ctx)) throw s3Error('AccessDenied', 'Access Denied');
    const bucketPath = ctx.path.match(/^\/([^/]+)(\/?)$/);
    const target = objectTargetOf(ctx);
    // The canonical URI is the path as sent: s3rver builds it from the params, so a bucket request's
    // trailing slash (`/media/?list-type=2`, as the SDK sends it) goes into the bucket param. The
    // router sets its own params later.
    ctx.params =
      target !== undefined
        ? { ...target }
        : bucketPath?.[1] === undefined
          ? {}
          : { bucket: `${safeDecode(bucketPath[1])}${bucketPath[2] ?? ''}` };
    // s3rver's check reads the flag from the app; it runs synchronously up to `next`, so no other
    // request sees the flag off.
    server.allowMismatchedSignatures = false;
    // s3rver canonicalises query values with encodeURIComponent, which leaves !'()* alone where SigV4
    // encodes them (a prefix "it's (1)" or a response-content-disposition would never match): for the
    // same synchronous span, encodeURIComponent encodes as RFC 3986.
    globalThis.encodeURIComponent = encodeRfc3986;
    let checked: Promise<void>;
    try {
      checked = authenticate(ctx, async () => undefined);
    } finally {
      globalThis.encodeURIComponent = encodeComponent;
      server.allowMismatchedSignatures = true;
    }
    await checked;
  }

  /** Passes a request to s3rver, with its write conditions, and reports the objects it created. */
  async function handle(
    ctx: KoaContext,
    next: () => Promise<void>,
    ids: { requestId: string; hostId: string; accessKeyId: string | undefined },
  ): Promise<void> {
    normalizeCopySource(ctx);
    const conditions = isConditionalWrite(ctx) ? parseWriteConditions(ctx.headers) : undefined;
    const events: S3rverEvent[] = [];
    await requestEvents.run(events, () => requestConditions.run(conditions, next));
    const eventName = classify(ctx);
    if (!eventName || events.length === 0 || ctx.status >= 300) return;
    const request = { eventName, ...ids, sourceIp: ctx.ip.replace(/^::ffff:/, '') };
    for (const record of events.flatMap((event) => event.Records)) {
      if (!record.eventName.startsWith('ObjectCreated:')) continue;
      const facts = await factsOf(record, request);
      try {
        await options.onObjectCreated(facts);
      } catch (error) {
        options.onError(error, facts);
      }
    }
  }

  /** `ListParts` (GET) and `AbortMultipartUpload` (DELETE), after s3rver's authentication. */
  async function serveMultipart(ctx: KoaContext, target: ObjectTarget, uploadId: string, uploadLock: string) {
    ctx.params = { bucket: target.bucket, key: target.key };
    if (!(await server.store.getBucket(target.bucket))) {
      throw s3Error('NoSuchBucket', 'The specified bucket does not exist', { BucketName: target.bucket });
    }
    await applyCors(ctx, () =>
      authenticate(ctx, async () => {
        if (ctx.method === 'GET') {
          const xml = await uploadLocks.shared(uploadLock, () =>
            listPartsXml(server.store, target.bucket, target.key, uploadId, {
              maxParts: firstValue(ctx.query['max-parts']),
              partNumberMarker: firstValue(ctx.query['part-number-marker']),
            }),
          );
          ctx.status = 200;
          ctx.type = 'application/xml';
          ctx.body = xml;
          return;
        }
        await uploadLocks.exclusive(uploadLock, () =>
          abortUpload(server.store, target.bucket, target.key, uploadId),
        );
        ctx.status = 204;
        ctx.body = null;
      }),
    );
  }

  // s3rver answers NotImplemented for ?notification: serve it here, from startLocalAws's registry.
  async function serveNotificationConfiguration(ctx: KoaContext, bucket: string, requestId: string) {
    try {
      if (!(await server.store.getBucket(bucket))) {
        throw new S3ApiError('NoSuchBucket', 404, 'The specified bucket does not exist');
      }
      if (ctx.method === 'GET') {
        const xml = await options.notificationConfiguration.get(bucket);
        ctx.status = 200;
        ctx.type = 'application/xml';
        ctx.body = xml;
        return;
      }
      const chunks: Buffer[] = [];
      for await (const chunk of ctx.req) chunks.push(chunk);
      const skip = firstValue(ctx.headers['x-amz-skip-destination-validation']) === 'true';
      await options.notificationConfiguration.put(bucket, Buffer.concat(chunks).toString('utf8'), skip);
      ctx.status = 200;
      ctx.body = '';
    } catch (error) {
      const apiError =
        error instanceof S3ApiError ? error : new S3ApiError('InternalError', 500, (error as Error).message);
      ctx.status = apiError.status;
      ctx.type = 'application/xml';
      ctx.body = s3ErrorXml(apiError, requestId);
    }
  }

  // Outermost, so it sees the final status and runs before the response is written.
  server.middleware.unshift(localAwsMiddleware);
  // Just before s3rver's router (its last middleware), inside its XML encoder: the body is still an object.
  server.middleware.splice(
    server.middleware.length - 1,
    0,
    listObjectsMiddleware as unknown as KoaMiddleware,
  );

  // s3rver.run() would hang on a taken port (it waits for a listen callback that never comes), so
  // set up buckets and the HTTP server here.
  await server.configureBuckets();
  const httpServer = createServer(server.callback());
  try {
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(options.port, options.host, () => {
        httpServer.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    server.logger.close();
    if (isAddressInUse(error)) {
      throw new PortInUseError('s3', options.host, options.port, { cause: error });
    }
    throw error;
  }
  const address = httpServer.address() as AddressInfo;
  const host = connectableHost(address);
  const endpoint = `http://${host}:${address.port}`;
  let stopping: Promise<void> | undefined;

  return {
    endpoint,
    async bucketExists(name) {
      return Boolean(await server.store.getBucket(name));
    },
    stop() {
      stopping ??= new Promise<void>((resolve, reject) => {
        httpServer.close((error) => {
          server.logger.close();
          if (error) reject(error);
          else resolve();
        });
        httpServer.closeAllConnections();
      });
      return stopping;
    },
  };
}
