import { randomUUID } from 'node:crypto';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { type TypeBoxTypeProvider, TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import { JobStore } from '@media-server/jobs';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import { type ApiKey, findApiKey, hashApiKey } from './api-keys.ts';
import { type ApiConfig, DEV_API_KEY } from './config.ts';
import type { ApiDeps, AppContext } from './context.ts';
import { ApiError, UnauthorizedError } from './errors.ts';
import { hashRequestBody, IdempotencyStore } from './idempotency.ts';
import { createMetrics } from './metrics.ts';
import { addOpenApiLinks } from './openapi-links.ts';
import { registerProblemHandlers, toProblem } from './problem.ts';
import { SlidingWindowLimit } from './rate-limit.ts';
import { registerEventRoutes } from './routes/events.ts';
import { registerHealthRoutes } from './routes/health.ts';
import { registerJobRoutes } from './routes/jobs.ts';
import { registerLegacyRoutes } from './routes/legacy.ts';
import { registerPlaybackRoutes } from './routes/playback.ts';
import { registerUploadRoutes } from './routes/uploads.ts';
import { registerUppyRoutes } from './routes/uppy.ts';
import { PROBLEM_CONTENT_TYPE } from './schemas.ts';

/** Per-route options read by the app's hooks (`config` of a Fastify route). */
export interface RouteFlags {
  /** No API key needed (health, docs). */
  public?: boolean;
  /** Honour an `Idempotency-Key` header. */
  idempotent?: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Id of the API key the request authenticated with. */
    apiKeyId?: string;
    idempotency?: { scope: string; requestHash: string } | undefined;
  }
}

export type ApiApp = FastifyInstance & { context: AppContext };

export interface BuildAppOptions {
  /** A pino logger to use instead of one built from `config.logLevel`. */
  logger?: FastifyBaseLogger;
}

/**
 * The HTTP API as a Fastify instance, not yet listening (tests call `listen({ port: 0 })`).
 * Every route's schema is a TypeBox schema: it validates the request, types the handler and
 * becomes part of the OpenAPI 3.1 document at `/openapi.json`.
 */
export async function buildApp(
  config: ApiConfig,
  deps: ApiDeps,
  options: BuildAppOptions = {},
): Promise<ApiApp> {
  const app = Fastify({
    ...(options.logger === undefined
      ? { logger: { level: config.logLevel, redact: ['req.headers.authorization'] } }
      : { loggerInstance: options.logger }),
    bodyLimit: config.bodyLimitBytes,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    return503OnClosing: true,
    routerOptions: { maxParamLength: 1024 },
    // Errors raised before routing (a parameter too long, a malformed URL) answer as problem+json too.
    frameworkErrors: (error, request, reply) => {
      const { problem, headers } = toProblem(error);
      problem.instance = request.url;
      void (reply as FastifyReply)
        .code(problem.status)
        .headers(headers)
        .type(PROBLEM_CONTENT_TYPE)
        .send(problem);
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(TypeBoxValidatorCompiler);

  const metrics = createMetrics();
  const closing = new AbortController();
  const context: AppContext = {
    config,
    s3: deps.s3,
    sqs: deps.sqs,
    presigner: deps.presigner ?? deps.s3,
    store: new JobStore({ s3: deps.s3, bucket: config.aws.bucket }),
    bucket: config.aws.bucket,
    metrics,
    uploadLimit: new SlidingWindowLimit(config.uploads.perKeyPerHour, 3_600_000),
    closing: closing.signal,
  };
  // End event streams before the server waits for its connections to finish.
  app.addHook('preClose', async () => closing.abort());
  const keys: ApiKey[] = [...config.apiKeys];
  if (config.devKeyEnabled) keys.push({ id: 'dev', sha256: Buffer.from(hashApiKey(DEV_API_KEY), 'hex') });
  const idempotency = new IdempotencyStore({
    s3: deps.s3,
    bucket: config.aws.bucket,
    ttlSeconds: config.idempotencyTtlSeconds,
  });

  registerProblemHandlers(app);

  if (config.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: config.corsOrigins.includes('*') ? true : config.corsOrigins,
      methods: ['GET', 'POST', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', 'idempotency-key', 'last-event-id', 'x-request-id'],
      exposedHeaders: ['x-request-id', 'idempotent-replayed', 'retry-after'],
      maxAge: 600,
    });
  }

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'media-server API',
        version: '1.0.0',
        description:
          'Uploads to S3 (presigned PUT or multipart), processing jobs, progress events. Errors are application/problem+json (RFC 9457).',
      },
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            description: 'An API key: `Authorization: Bearer <key>`',
          },
        },
      },
      security: [{ bearerAuth: [] }],
      tags: [
        { name: 'uploads', description: 'Upload a file straight to S3' },
        { name: 'jobs', description: 'Processing jobs and their progress' },
        { name: 'uppy', description: 'Routes for @uppy/aws-s3 (its `endpoint` option)' },
        { name: 'playback', description: 'Signed playback URLs (no API key): playlists and storyboards' },
        { name: 'health', description: 'Health, readiness and metrics' },
        { name: 'deprecated', description: "The original system's route" },
      ],
    },
    transformObject: (documentObject) =>
      addOpenApiLinks(
        (documentObject as { openapiObject: Parameters<typeof addOpenApiLinks>[0] }).openapiObject,
      ),
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: true } });
  app.get(
    '/openapi.json',
    { schema: { hide: true }, config: { public: true } satisfies RouteFlags },
    async () => app.swagger(),
  );

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    const flags = (request.routeOptions.config ?? {}) as RouteFlags;
    if (request.routeOptions.url === undefined || flags.public || request.method === 'OPTIONS') return;
    if (request.routeOptions.url.startsWith('/docs')) return;
    const header = request.headers.authorization;
    if (header === undefined || header === '') {
      throw new UnauthorizedError('missing API key: send Authorization: Bearer <key>');
    }
    const match = /^Bearer +(\S+) *$/i.exec(header);
    if (match?.[1] === undefined) throw new UnauthorizedError('Authorization must be "Bearer <key>"');
    const key = findApiKey(keys, match[1]);
    if (key === undefined) throw new UnauthorizedError('the API key is not valid');
    request.apiKeyId = key.id;
  });

  // Strings with lone surrogates cannot become S3 keys or URLs: refuse them up front.
  app.addHook('preValidation', async (request) => {
    for (const [part, value] of [
      ['body', request.body],
      ['querystring', request.query],
      ['params', request.params],
    ] as const) {
      const path = illFormedStringPath(value, part);
      if (path !== undefined)
        throw new ApiError('BAD_REQUEST', `${path} is not well-formed Unicode (lone surrogate)`);
    }
  });

  app.addHook('preHandler', async (request, reply) => {
    const flags = (request.routeOptions.config ?? {}) as RouteFlags;
    const idempotencyKey = request.headers['idempotency-key'];
    if (!flags.idempotent || idempotencyKey === undefined) return;
    if (typeof idempotencyKey !== 'string' || idempotencyKey.length === 0 || idempotencyKey.length > 255) {
      throw new ApiError('BAD_REQUEST', 'Idempotency-Key must be one header of 1 to 255 characters');
    }
    const scope = idempotency.scope(
      request.apiKeyId ?? '',
      `${request.method} ${request.url}`,
      idempotencyKey,
    );
    const requestHash = hashRequestBody(request.body);
    const record = await idempotency.get(scope);
    if (record !== undefined) {
      if (record.requestHash !== requestHash) {
        throw new ApiError(
          'IDEMPOTENCY_KEY_REUSED',
          'this Idempotency-Key was used with a different request body; use a new key for a new request',
        );
      }
      if (record.location !== undefined) reply.header('location', record.location);
      return reply
        .code(record.statusCode)
        .header('idempotent-replayed', 'true')
        .type(record.contentType)
        .send(record.body);
    }
    if (!idempotency.begin(scope)) {
      throw new ApiError(
        'IDEMPOTENCY_KEY_IN_USE',
        'a request with this Idempotency-Key is still running; retry later',
      );
    }
    request.idempotency = { scope, requestHash };
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const pending = request.idempotency;
    if (pending === undefined) return payload;
    request.idempotency = undefined;
    try {
      if (reply.statusCode >= 200 && reply.statusCode < 300 && typeof payload === 'string') {
        const location = reply.getHeader('location');
        await idempotency.put(pending.scope, {
          requestHash: pending.requestHash,
          statusCode: reply.statusCode,
          contentType: String(reply.getHeader('content-type') ?? 'application/json'),
          ...(typeof location === 'string' ? { location } : {}),
          body: payload,
          createdAt: new Date().toISOString(),
        });
      }
    } catch (error) {
      // The work is done and answered; only a retry with this key will not be recognised.
      request.log.warn({ err: error }, 'could not store the idempotency record');
    } finally {
      idempotency.end(pending.scope);
    }
    return payload;
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });

  registerHealthRoutes(app, context);
  registerUploadRoutes(app, context);
  registerJobRoutes(app, context);
  registerEventRoutes(app, context);
  registerUppyRoutes(app, context);
  registerLegacyRoutes(app, context);
  registerPlaybackRoutes(app, context);

  return Object.assign(app as unknown as FastifyInstance, { context });
}

/** The path of the first string in `value` that is not well-formed UTF-16, if any. */
function illFormedStringPath(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return value.isWellFormed() ? undefined : path;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = illFormedStringPath(item, `${path}/${index}`);
      if (found !== undefined) return found;
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const found = illFormedStringPath(key, `${path}/${key}`) ?? illFormedStringPath(item, `${path}/${key}`);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}
