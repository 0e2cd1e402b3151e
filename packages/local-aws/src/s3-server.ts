import { AsyncLocalStorage } from 'node:async_hooks';
import type { EventEmitter } from 'node:events';
import { createServer, type IncomingHttpHeaders, type RequestListener } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { isAddressInUse, PortInUseError } from './local-aws-error.ts';
import {
  newHostId,
  newRequestId,
  type ObjectCreatedFacts,
  type S3ObjectCreatedEventName,
  Sequencer,
} from './s3-event.ts';
import { S3ApiError, s3ErrorXml } from './s3-notification-xml.ts';

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
  middleware: KoaMiddleware[];
  logger: { close(): void };
  store: {
    getBucket(name: string): Promise<unknown>;
    getMetadata(bucket: string, key: string): Promise<Record<string, string> | undefined>;
  };
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
 * Starts s3rver with our additions: any credentials are accepted, S3 request ids on every response,
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
    allowMismatchedSignatures: true,
    resetOnClose: false,
    configureBuckets: options.buckets.map((name) => ({
      name,
      configs: options.cors ? [PERMISSIVE_CORS_XML] : [],
    })),
  });

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

  const localAwsMiddleware: KoaMiddleware = async (ctx, next) => {
    const requestId = newRequestId();
    const hostId = newHostId();
    ctx.set('x-amz-request-id', requestId);
    ctx.set('x-amz-id-2', hostId);
    const accessKeyId = accessKeyIdOf(ctx);
    // Accept any credentials, as the SQS side does: s3rver only knows keys in its registry.
    if (accessKeyId && !accounts.registry.has(accessKeyId)) {
      accounts.DUMMY_ACCOUNT.createKeyPair(accessKeyId, accessKeyId);
    }
    const notificationBucket = ctx.path.match(/^\/([^/]+)\/?$/)?.[1];
    if (notificationBucket && 'notification' in ctx.query && (ctx.method === 'GET' || ctx.method === 'PUT')) {
      await serveNotificationConfiguration(ctx, decodeURIComponent(notificationBucket), requestId);
      return;
    }
    normalizeCopySource(ctx);
    const events: S3rverEvent[] = [];
    await requestEvents.run(events, next);
    const eventName = classify(ctx);
    if (!eventName || events.length === 0 || ctx.status >= 300) return;
    const request = { eventName, requestId, hostId, accessKeyId, sourceIp: ctx.ip.replace(/^::ffff:/, '') };
    for (const record of events.flatMap((event) => event.Records)) {
      if (!record.eventName.startsWith('ObjectCreated:')) continue;
      const facts = await factsOf(record, request);
      try {
        await options.onObjectCreated(facts);
      } catch (error) {
        options.onError(error, facts);
      }
    }
  };
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
