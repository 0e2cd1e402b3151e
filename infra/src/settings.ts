/** What a deployment chooses; everything else follows from it. Defaults suit a small production setup. */
export interface MediaServerSettings {
  /** Browser origins allowed to PUT uploads straight to the bucket (Uppy). Default: none. */
  corsOrigins?: string[] | undefined;
  /** Fewest worker tasks; 0 lets the worker scale to zero when the queue is empty. Default 0. */
  workerMinTasks?: number | undefined;
  /** Most worker tasks. Default 10. */
  workerMaxTasks?: number | undefined;
  /** Target of the scaling policy: visible messages per running worker task. Default 2. */
  backlogPerTaskTarget?: number | undefined;
  /** vCPU of a worker task (Fargate: 0.25–16). Default 2. */
  workerCpu?: number | undefined;
  /** Memory of a worker task, MiB. Default 4096. */
  workerMemoryMiB?: number | undefined;
  /** Jobs one worker task runs at once (`WORKER_CONCURRENCY`). Default 1. */
  workerConcurrency?: number | undefined;
  /** `WORKER_SHUTDOWN_GRACE_MS`: time running jobs get after SIGTERM. At most 105 000 (Fargate stops at 120 s). Default 90 000. */
  workerShutdownGraceMs?: number | undefined;
  /** API tasks (fixed). Default 2. */
  apiTasks?: number | undefined;
  /** Visibility timeout of the jobs queue, seconds: the worker's heartbeat extends it while a job runs. Default 30. */
  visibilityTimeoutSeconds?: number | undefined;
  /** Days after which incomplete multipart uploads are aborted. Default 1. */
  abortIncompleteUploadsAfterDays?: number | undefined;
  /** Days after which `idempotency/` records expire. Default 2 (the API replays for 1 day). */
  idempotencyExpiryDays?: number | undefined;
  /** Put CloudFront in front of `outputs/` and give the API its address as `PLAYBACK_BASE_URL`. Default false. */
  playbackCdn?: boolean | undefined;
  /** ARN of an ACM certificate for an HTTPS listener on the load balancer. Default: HTTP only. */
  certificateArn?: string | undefined;
  /** Name of the Secrets Manager secret holding `API_KEYS` (`<id>:<sha256 hex>,…`), created before deploying. Default `media-server/api-keys`. */
  apiKeysSecretName?: string | undefined;
  /** NAT gateways of the VPC (tasks run in private subnets). Default 1. */
  natGateways?: number | undefined;
  /** Messages in the oldest-message alarm: the oldest job waiting longer than this many seconds alarms. Default 900. */
  oldestMessageAlarmSeconds?: number | undefined;
  /**
   * `FFMPEG_SANDBOX` of the worker. Default `auto`: Fargate does not allow the user namespaces bubblewrap
   * needs, so `required` would refuse every job there; `auto` runs ffmpeg unsandboxed when bwrap cannot start.
   */
  ffmpegSandbox?: 'required' | 'auto' | 'off' | undefined;
}

/** {@link MediaServerSettings} with every default applied. */
export type ResolvedSettings = {
  [K in Exclude<keyof MediaServerSettings, 'certificateArn'>]-?: Exclude<MediaServerSettings[K], undefined>;
} & { certificateArn: string | undefined };

/** Fargate kills a container this long after SIGTERM at most. */
export const FARGATE_MAX_STOP_TIMEOUT_SECONDS = 120;

export class InfraSettingsError extends Error {
  readonly code = 'INFRA_SETTINGS_INVALID';
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid deployment settings:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'InfraSettingsError';
    this.problems = problems;
  }
}

/** Applies defaults and reports every impossible combination at once. */
export function resolveSettings(settings: MediaServerSettings = {}): ResolvedSettings {
  const resolved: ResolvedSettings = {
    corsOrigins: settings.corsOrigins ?? [],
    workerMinTasks: settings.workerMinTasks ?? 0,
    workerMaxTasks: settings.workerMaxTasks ?? 10,
    backlogPerTaskTarget: settings.backlogPerTaskTarget ?? 2,
    workerCpu: settings.workerCpu ?? 2,
    workerMemoryMiB: settings.workerMemoryMiB ?? 4096,
    workerConcurrency: settings.workerConcurrency ?? 1,
    workerShutdownGraceMs: settings.workerShutdownGraceMs ?? 90_000,
    apiTasks: settings.apiTasks ?? 2,
    visibilityTimeoutSeconds: settings.visibilityTimeoutSeconds ?? 30,
    abortIncompleteUploadsAfterDays: settings.abortIncompleteUploadsAfterDays ?? 1,
    idempotencyExpiryDays: settings.idempotencyExpiryDays ?? 2,
    playbackCdn: settings.playbackCdn ?? false,
    certificateArn: settings.certificateArn,
    apiKeysSecretName: settings.apiKeysSecretName ?? 'media-server/api-keys',
    natGateways: settings.natGateways ?? 1,
    oldestMessageAlarmSeconds: settings.oldestMessageAlarmSeconds ?? 900,
    ffmpegSandbox: settings.ffmpegSandbox ?? 'auto',
  };
  const problems: string[] = [];
  const r = resolved;
  if (!Number.isInteger(r.workerMinTasks) || r.workerMinTasks < 0)
    problems.push(`workerMinTasks must be an integer ≥ 0, got ${r.workerMinTasks}`);
  if (!Number.isInteger(r.workerMaxTasks) || r.workerMaxTasks < Math.max(1, r.workerMinTasks))
    problems.push(`workerMaxTasks must be an integer ≥ max(1, workerMinTasks), got ${r.workerMaxTasks}`);
  if (!(r.backlogPerTaskTarget > 0)) problems.push('backlogPerTaskTarget must be > 0');
  const stopBudgetMs = (FARGATE_MAX_STOP_TIMEOUT_SECONDS - 15) * 1000;
  if (
    !Number.isInteger(r.workerShutdownGraceMs) ||
    r.workerShutdownGraceMs < 0 ||
    r.workerShutdownGraceMs > stopBudgetMs
  )
    problems.push(
      `workerShutdownGraceMs must be 0–${stopBudgetMs}: Fargate stops a container ${FARGATE_MAX_STOP_TIMEOUT_SECONDS} s after SIGTERM at most, and the worker needs time after the grace to hand messages back`,
    );
  if (
    !Number.isInteger(r.visibilityTimeoutSeconds) ||
    r.visibilityTimeoutSeconds < 10 ||
    r.visibilityTimeoutSeconds > 43_200
  )
    problems.push('visibilityTimeoutSeconds must be 10–43200');
  if (!Number.isInteger(r.workerConcurrency) || r.workerConcurrency < 1 || r.workerConcurrency > 64)
    problems.push('workerConcurrency must be 1–64');
  for (const origin of r.corsOrigins) {
    if (origin !== '*' && !/^https?:\/\/[^/]+$/.test(origin))
      problems.push(`corsOrigins has "${origin}", which is neither * nor an http(s) origin`);
  }
  if (problems.length > 0) throw new InfraSettingsError(problems);
  return resolved;
}

/**
 * Seconds between SIGTERM and SIGKILL for the worker container: the grace for running jobs plus time to
 * hand their messages back and flush webhooks (5 s), capped by Fargate's limit.
 */
export function workerStopTimeoutSeconds(settings: ResolvedSettings): number {
  return Math.min(FARGATE_MAX_STOP_TIMEOUT_SECONDS, Math.ceil(settings.workerShutdownGraceMs / 1000) + 15);
}
