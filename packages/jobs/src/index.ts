export {
  type AwsClientSettings,
  type AwsSettings,
  ConfigError,
  LOCAL_AWS_DEFAULTS,
  loadAwsSettings,
  readEnv,
} from './aws-config.ts';
export { isAwsUnreachable } from './aws-unreachable.ts';
export { EnvReader } from './env-reader.ts';
export { JobDocumentError, JobsError, type JobsErrorCode, JobUpdateConflictError } from './errors.ts';
export { deriveJobId, isJobId, JOB_ID_PATTERN, newJobId } from './job-id.ts';
export { type JobMessage, jobMessageBody, parseJobMessage } from './job-message.ts';
export { JobStore, type JobStoreOptions } from './job-store.ts';
export {
  JOBS_PREFIX,
  jobIdFromUploadKey,
  OUTPUTS_PREFIX,
  outputsPrefix,
  safeFileName,
  specKey,
  statusKey,
  UPLOADS_PREFIX,
  uploadKey,
  uploadsPrefix,
} from './keys.ts';
export {
  type JobError,
  JobErrorSchema,
  JobIdSchema,
  type JobOutput,
  JobOutputSchema,
  type JobProgress,
  JobProgressSchema,
  type JobSpec,
  JobSpecSchema,
  type JobState,
  JobStateSchema,
  type JobStatus,
  JobStatusSchema,
  PRESET_NAMES,
  type PresetName,
  PresetNameSchema,
  TERMINAL_STATES,
  type UploadPlan,
  UploadPlanSchema,
  type WebhookDelivery,
  WebhookDeliverySchema,
} from './schema.ts';
export {
  type DeliverWebhookOptions,
  deliverWebhook,
  signWebhook,
  type WebhookEvent,
  webhookBody,
} from './webhook.ts';
