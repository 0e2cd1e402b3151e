// The API's request and response schemas (TypeBox): the server validates with them and publishes them as
// its OpenAPI document; the client takes its types from them. One source, so the three cannot drift apart.
export * from './common.ts';
export * from './health.ts';
export * from './job.ts';
export * from './jobs.ts';
export * from './legacy.ts';
export * from './operations.ts';
export * from './playback.ts';
export * from './problem.ts';
export * from './uploads.ts';
export * from './uppy.ts';
