export {
  type CreateOptions,
  createClient,
  type MediaServerClient,
  type MediaServerClientOptions,
  type RequestOptions,
  type WaitOptions,
} from './client.ts';
// The TypeBox schemas the types above are derived from, as types only (no runtime cost here); the values,
// for validating with TypeBox, are exported by `@media-server/client/contract`.
export type { Mp4Mode, Mp4ModeSchema } from './contract/common.ts';
export type {
  JobError,
  JobErrorSchema,
  JobOutput,
  JobOutputSchema,
  JobProgress,
  JobProgressSchema,
  JobState,
  JobStateSchema,
  JobTimings,
  JobTimingsSchema,
  PresetName,
  PresetNameSchema,
  WebhookDelivery,
  WebhookDeliverySchema,
} from './contract/job.ts';
export type {
  CreateJobBody,
  CreateJobBodySchema,
  DeleteJobQuery,
  DeleteJobQuerySchema,
  JobEvent,
  JobList,
  JobListSchema,
  JobOutputView,
  JobOutputViewSchema,
  JobView,
  JobViewSchema,
  ListJobsQuery,
  ListJobsQuerySchema,
} from './contract/jobs.ts';
export { PRESET_NAMES, TERMINAL_STATES } from './contract/names.ts';
export type { Playback, PlaybackSchema } from './contract/playback.ts';
export type { Problem, ProblemSchema } from './contract/problem.ts';
export type {
  CompleteUploadBody,
  CompleteUploadBodySchema,
  CreateUploadBody,
  CreateUploadBodySchema,
  PartUrl,
  PartUrlSchema,
  Upload,
  UploadParts,
  UploadPartsSchema,
  UploadSchema,
} from './contract/uploads.ts';
export {
  ApiError,
  type ClientErrorCode,
  ConnectionError,
  MediaServerError,
  UploadPartError,
  UploadSourceError,
} from './errors.ts';
export type { JobEventsOptions } from './job-events.ts';
export type { UploadProgress } from './upload/progress.ts';
export type { UploadSource } from './upload/source.ts';
export type { UploadOptions, UploadResult } from './upload/upload.ts';
export {
  type VerifyWebhookOptions,
  verifyWebhookRequest,
  verifyWebhookSignature,
  type WebhookRequestLike,
} from './webhook.ts';
