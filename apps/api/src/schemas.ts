import { PROBLEM_CONTENT_TYPE, ProblemSchema } from '@media-server/client/contract';
import type { TSchema } from 'typebox';

/**
 * The API's request and response schemas live in `@media-server/client/contract`: one source for
 * validation, the TypeScript types of the handlers, the OpenAPI document and the published client.
 * Here only the route-schema helpers of this app.
 */
export * from '@media-server/client/contract';

/** The fallback response of every route: any error, as problem+json. */
export const problemResponse = {
  description: 'Error (RFC 9457 problem details)',
  content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } },
};

export function json<T extends TSchema>(description: string, schema: T) {
  return { description, content: { 'application/json': { schema } } };
}
