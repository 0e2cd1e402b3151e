import type { TSchema } from 'typebox';
import {
  CreateJobBodySchema,
  DeleteJobQuerySchema,
  JobListSchema,
  JobViewSchema,
  ListJobsQuerySchema,
  SseEventSchema,
} from './jobs.ts';
import { PlaybackSchema } from './playback.ts';
import {
  CompleteUploadBodySchema,
  CreateUploadBodySchema,
  UploadPartsSchema,
  UploadSchema,
} from './uploads.ts';

/** One API operation the client implements: its method name and the schemas its types come from. */
export interface ClientOperation {
  /** `uploads.create`, `jobs.get`, … */
  method: string;
  /** The schema of the request body, when the operation takes one. */
  body?: TSchema;
  /** The schema of the query string, when the operation takes one. */
  query?: TSchema;
  /** The 2xx answer (absent for 204). */
  response?: TSchema;
}

/**
 * Every `/v1` operation of the API, by OpenAPI method and path, with the client method that calls it.
 * A test compares it with the served `/openapi.json`: an operation without a method, or a schema that
 * differs from the document's, fails it.
 */
export const CLIENT_OPERATIONS: Readonly<Record<string, ClientOperation>> = {
  'POST /v1/uploads': { method: 'uploads.create', body: CreateUploadBodySchema, response: UploadSchema },
  'GET /v1/uploads/{id}/parts': { method: 'uploads.parts', response: UploadPartsSchema },
  'POST /v1/uploads/{id}/complete': {
    method: 'uploads.complete',
    body: CompleteUploadBodySchema,
    response: JobViewSchema,
  },
  'DELETE /v1/uploads/{id}': { method: 'uploads.abort' },
  'POST /v1/jobs': { method: 'jobs.create', body: CreateJobBodySchema, response: JobViewSchema },
  'GET /v1/jobs': { method: 'jobs.list', query: ListJobsQuerySchema, response: JobListSchema },
  'GET /v1/jobs/{id}': { method: 'jobs.get', response: JobViewSchema },
  'DELETE /v1/jobs/{id}': { method: 'jobs.delete', query: DeleteJobQuerySchema },
  'GET /v1/jobs/{id}/events': { method: 'jobs.events', response: SseEventSchema },
  'GET /v1/jobs/{id}/playback': { method: 'playback', response: PlaybackSchema },
};
