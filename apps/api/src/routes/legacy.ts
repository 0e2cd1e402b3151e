import type { RouteFlags } from '../app.ts';
import type { AppContext } from '../context.ts';
import {
  IdempotencyHeaderSchema,
  json,
  LegacyBodySchema,
  LegacyResponseSchema,
  problemResponse,
} from '../schemas.ts';
import type { TypedApp } from '../typed-app.ts';
import { createUpload } from '../upload-service.ts';

/**
 * The original system's only route, kept so its clients keep working: same path, same 201 and same
 * `{ isSuccess, preSignedUrl }` shape. Each call now gets its own key (the original handed everyone
 * the same one) and a job; an API key is required like everywhere else.
 */
export function registerLegacyRoutes(app: TypedApp, ctx: AppContext): void {
  app.post(
    '/api/v1/video/pre-signed-url',
    {
      config: { idempotent: true } satisfies RouteFlags,
      schema: {
        tags: ['deprecated'],
        operationId: 'legacyPreSignedUrl',
        summary: 'Deprecated: presigned PUT URL for a video (use POST /v1/uploads)',
        description:
          'The original API route. The body is optional (the original took none): filename defaults to video.mp4, contentType to video/mp4; when size is given it is signed as Content-Length. PUT the file with exactly that Content-Type.',
        deprecated: true,
        headers: IdempotencyHeaderSchema,
        body: LegacyBodySchema,
        response: { 201: json('Presigned URL', LegacyResponseSchema), default: problemResponse },
      },
    },
    async (request, reply) => {
      await ctx.uploadLimit.take(request.apiKeyId ?? '');
      const body = request.body ?? {};
      const { upload } = await createUpload(ctx, {
        filename: body.filename ?? 'video.mp4',
        contentType: body.contentType ?? 'video/mp4',
        size: body.size,
        owner: request.apiKeyId ?? '',
        method: 'put',
      });
      if (upload.method !== 'put') throw new Error('legacy uploads are single PUTs');
      return reply
        .code(201)
        .header('deprecation', 'true')
        .header('link', '</v1/uploads>; rel="successor-version"')
        .send({ isSuccess: true as const, preSignedUrl: upload.url, jobId: upload.id, key: upload.key });
    },
  );
}
