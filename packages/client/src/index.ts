export {
  type CreateOptions,
  createClient,
  type MediaServerClient,
  type MediaServerClientOptions,
  type RequestOptions,
  type WaitOptions,
} from './client.ts';
export type {
  JobError,
  JobOutput,
  JobProgress,
  JobState,
  JobTimings,
  PresetName,
  WebhookDelivery,
} from './contract/job.ts';
export type {
  CreateJobBody,
  DeleteJobQuery,
  JobEvent,
  JobList,
  JobOutputView,
  JobView,
  ListJobsQuery,
} from './contract/jobs.ts';
export { PRESET_NAMES, TERMINAL_STATES } from './contract/names.ts';
export type { Playback } from './contract/playback.ts';
export type { Problem } from './contract/problem.ts';
export type {
  CompleteUploadBody,
  CreateUploadBody,
  PartUrl,
  Upload,
  UploadParts,
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
