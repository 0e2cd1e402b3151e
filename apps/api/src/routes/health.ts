import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { Type } from 'typebox';
import type { RouteFlags } from '../app.ts';
import type { AppContext } from '../context.ts';
import { HealthSchema, json, problemResponse, ReadinessSchema } from '../schemas.ts';
import type { TypedApp } from '../typed-app.ts';

const CHECK_TIMEOUT_MS = 3000;

async function check(
  run: (signal: AbortSignal) => Promise<unknown>,
): Promise<{ ok: boolean; error?: string }> {
  try {
    await run(AbortSignal.timeout(CHECK_TIMEOUT_MS));
    return { ok: true };
  } catch (error) {
    return { ok: false, error: (error as Error).message || (error as Error).name };
  }
}

export function registerHealthRoutes(app: TypedApp, ctx: AppContext): void {
  const publicRoute = { public: true } satisfies RouteFlags;

  app.get(
    '/healthz',
    {
      config: publicRoute,
      schema: {
        tags: ['health'],
        operationId: 'healthz',
        summary: 'Liveness: the process answers',
        security: [],
        response: { 200: json('Alive', HealthSchema), default: problemResponse },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      config: publicRoute,
      schema: {
        tags: ['health'],
        operationId: 'readyz',
        summary: 'Readiness: S3 bucket and SQS queue reachable',
        security: [],
        response: {
          200: json('Ready', ReadinessSchema),
          503: json('Not ready', ReadinessSchema),
          default: problemResponse,
        },
      },
    },
    async (_request, reply) => {
      const [s3, sqs] = await Promise.all([
        check((abortSignal) => ctx.s3.send(new HeadBucketCommand({ Bucket: ctx.bucket }), { abortSignal })),
        check((abortSignal) =>
          ctx.sqs.send(
            new GetQueueAttributesCommand({
              QueueUrl: ctx.config.aws.queueUrl,
              AttributeNames: ['QueueArn'],
            }),
            { abortSignal },
          ),
        ),
      ]);
      const ready = s3.ok && sqs.ok;
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unready', checks: { s3, sqs } });
    },
  );

  app.get(
    '/metrics',
    {
      schema: {
        tags: ['health'],
        operationId: 'metrics',
        summary: 'Prometheus metrics (needs an API key)',
        response: {
          200: {
            description: 'Prometheus text format',
            content: { 'text/plain': { schema: Type.String() } },
          },
          default: problemResponse,
        },
      },
    },
    async (_request, reply) => {
      const body = await ctx.metrics.registry.metrics();
      return reply.type(ctx.metrics.registry.contentType).send(body);
    },
  );
}
