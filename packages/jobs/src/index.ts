export {
  type AwsClientSettings,
  AwsEnvSchema,
  type AwsSettings,
  LOCAL_AWS_DEFAULTS,
  loadAwsSettings,
  readAwsSettings,
} from './aws-config.ts';
export { isAwsUnreachable } from './aws-unreachable.ts';
export { type EnvReading, EnvVar, isHttpUrl, readEnv, readEnvironment } from './env-schema.ts';
export {
  ConfigError,
  JobDocumentError,
  JobsError,
  type JobsErrorCode,
  JobUpdateConflictError,
} from './errors.ts';
export { deriveJobId, isJobId, JOB_ID_PATTERN, newJobId } from './job-id.ts';
export { type JobMessage, jobMessageBody, parseJobMessage } from './job-message.ts';
export { JobStore, type JobStoreOptions, type SourceObject } from './job-store.ts';
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
  exhaustJob,
  reenqueueJob,
  type StaleJob,
  undoReenqueue,
} from './reconciler-transitions.ts';
export { httpStatusOf, isConditionFailure, isNotFound } from './s3-errors.ts';
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
export { lastActivity, refuse, type Transition, type TransitionRefusalReason } from './transition.ts';
export { jobViewState, needsSourceCheck } from './view-state.ts';
export {
  type ClaimInput,
  claimJob,
  failJob,
  type JobResult,
  markPlayable,
  recordProgress,
  recordWebhookAttempt,
  requeueJob,
  succeedJob,
} from './worker-transitions.ts';
