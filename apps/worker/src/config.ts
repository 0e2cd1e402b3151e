import { availableParallelism, hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AwsSettings, ConfigError, EnvReader, PRESET_NAMES, type PresetName } from '@media-server/jobs';
import { isSandboxMode, type SandboxMode } from '@media-server/media-pipeline';
import { validateCronExpression } from 'cron';

type Env = Record<string, string | undefined>;

/** Everything the worker reads from the environment, validated. */
export interface WorkerConfig {
  aws: AwsSettings;
  /** Unique per process: written into status.json so peers and the reconciler know who holds a job. */
  workerId: string;
  /** Jobs processed at once (each holds one semaphore permit and one SQS message). */
  concurrency: number;
  /** Parent of the per-job temporary directories. */
  tempDir: string;
  /** How long SIGTERM/SIGINT lets running jobs finish before handing their messages back. */
  shutdownGraceMs: number;
  /**
   * Visibility timeout the worker asks for on receive and sets on every heartbeat, seconds. Short, because
   * the heartbeat holds long jobs: it bounds how long a crashed worker's job stays invisible.
   */
  visibilityTimeoutSeconds: number;
  /** Input policy applied after probing. */
  policy: {
    maxInputBytes: number;
    maxDurationSeconds: number;
    maxWidth: number;
    maxHeight: number;
  };
  /** Presets for a job whose spec names none, by media kind. */
  defaultPresets: { video: PresetName[]; audio: PresetName[]; image: PresetName[] };
  /** Kill an ffmpeg run that makes no progress for this long. */
  stallTimeoutMs: number;
  /** Minimum time between two progress writes to status.json. */
  progressIntervalMs: number;
  /** Publish the HLS ladder while it is encoded (playable before the job ends). */
  liveHls: boolean;
  /** Receive on this cron schedule (the original's periodic mode) instead of long-polling continuously. */
  pollSchedule: string | undefined;
  /** cron expression (with seconds) of the reconciler, or undefined when disabled. */
  reconcileSchedule: string | undefined;
  /** A job without live progress for this long is re-enqueued (once) by the reconciler. */
  reconcileStaleMinutes: number;
  httpPort: number;
  /** Interface of the health server: all by default (container probes), 127.0.0.1 in tests. */
  httpHost: string;
  webhookSecret: string;
  /** Webhooks may reach loopback/private/link-local receivers: default true in local mode only. */
  webhookAllowPrivateNetworks: boolean;
  logLevel: string;
  /** `FFMPEG_SANDBOX`: `required` (default against AWS), `auto` (default locally) or `off`. */
  ffmpegSandbox: SandboxMode;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const DEV_WEBHOOK_SECRET = 'dev-webhook-secret';

/**
 * Reads the worker's settings (on top of the shared AWS settings) and reports every bad or missing value
 * at once in a {@link ConfigError}.
 */
export function loadWorkerConfig(env: Env = process.env): WorkerConfig {
  const reader = new EnvReader(env);
  const problems = reader.problems;
  const aws = reader.aws();
  const int = reader.integer.bind(reader);
  const presets = (name: string, fallback: PresetName[]): PresetName[] => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    const names = raw.split(',').map((part) => part.trim());
    const unknown = names.filter((part) => !(PRESET_NAMES as readonly string[]).includes(part));
    if (unknown.length > 0 || names.length === 0) {
      problems.push(
        `${name} must be a comma-separated list of ${PRESET_NAMES.join(', ')}; unknown: ${unknown.join(', ')}`,
      );
      return fallback;
    }
    return [...new Set(names)] as PresetName[];
  };

  const concurrency = int('WORKER_CONCURRENCY', Math.max(1, Math.floor(availableParallelism() / 2)), 1, 64);
  const shutdownGraceMs = int('WORKER_SHUTDOWN_GRACE_MS', 25_000, 0, 12 * 3600_000);
  const visibilityTimeoutSeconds = int('WORKER_VISIBILITY_TIMEOUT_SECONDS', 20, 5, 43_200);
  const maxInputBytes = int('WORKER_MAX_INPUT_BYTES', 10 * 1024 ** 3, 1);
  const maxDurationSeconds = int('WORKER_MAX_DURATION_SECONDS', 4 * 3600, 1);
  let maxWidth = 7680;
  let maxHeight = 4320;
  const resolution = env.WORKER_MAX_RESOLUTION?.trim();
  if (resolution) {
    const match = /^(\d{1,5})x(\d{1,5})$/.exec(resolution);
    if (match && Number(match[1]) > 0 && Number(match[2]) > 0) {
      maxWidth = Number(match[1]);
      maxHeight = Number(match[2]);
    } else problems.push(`WORKER_MAX_RESOLUTION must look like 3840x2160, got "${resolution}"`);
  }
  const stallTimeoutMs = int('WORKER_STALL_TIMEOUT_MS', 120_000, 1000);
  const progressIntervalMs = int('WORKER_PROGRESS_INTERVAL_MS', 2000, 100);
  const httpPort = int('WORKER_HTTP_PORT', 3001, 0, 65_535);
  const reconcileStaleMinutes = int('RECONCILE_STALE_MINUTES', 10, 1);

  let reconcileSchedule: string | undefined = env.RECONCILE_SCHEDULE?.trim() || '0 * * * * *';
  if (reconcileSchedule === 'off') reconcileSchedule = undefined;
  else if (!validateCronExpression(reconcileSchedule).valid) {
    problems.push(
      `RECONCILE_SCHEDULE must be a cron expression (with seconds) or "off", got "${reconcileSchedule}"`,
    );
  }

  const pollSchedule = env.WORKER_POLL_SCHEDULE?.trim() || undefined;
  if (pollSchedule !== undefined && !validateCronExpression(pollSchedule).valid) {
    problems.push(`WORKER_POLL_SCHEDULE must be a cron expression (with seconds), got "${pollSchedule}"`);
  }

  const logLevel = env.LOG_LEVEL?.trim() || 'info';
  if (!LOG_LEVELS.includes(logLevel))
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);

  let webhookSecret = env.WEBHOOK_SECRET?.trim() ?? '';
  if (webhookSecret === '') {
    // AWS settings that failed to load were still meant for AWS (local mode means none were given).
    if (aws?.mode !== 'local') {
      problems.push(
        'WEBHOOK_SECRET is required with real AWS settings: it signs the webhooks sent to clients',
      );
    }
    webhookSecret = DEV_WEBHOOK_SECRET;
  }

  const allowPrivate = env.WEBHOOK_ALLOW_PRIVATE_NETWORKS?.trim();
  if (allowPrivate && allowPrivate !== 'true' && allowPrivate !== 'false') {
    problems.push(`WEBHOOK_ALLOW_PRIVATE_NETWORKS must be true or false, got "${allowPrivate}"`);
  }
  const webhookAllowPrivateNetworks = allowPrivate ? allowPrivate === 'true' : aws?.mode === 'local';

  const liveHlsSetting = env.WORKER_LIVE_HLS?.trim();
  if (liveHlsSetting && liveHlsSetting !== 'true' && liveHlsSetting !== 'false') {
    problems.push(`WORKER_LIVE_HLS must be true or false, got "${liveHlsSetting}"`);
  }
  const liveHls = liveHlsSetting !== 'false';

  const sandbox = env.FFMPEG_SANDBOX?.trim();
  if (sandbox && !isSandboxMode(sandbox)) {
    problems.push(`FFMPEG_SANDBOX must be required, auto or off, got "${sandbox}"`);
  }
  const ffmpegSandbox: SandboxMode =
    sandbox && isSandboxMode(sandbox) ? sandbox : aws?.mode === 'local' ? 'auto' : 'required';

  const defaultPresets = {
    video: presets('WORKER_VIDEO_PRESETS', ['mp4', 'hls', 'poster', 'sprite']),
    audio: presets('WORKER_AUDIO_PRESETS', ['audio']),
    image: presets('WORKER_IMAGE_PRESETS', ['image']),
  };

  if (problems.length > 0 || aws === undefined) throw new ConfigError(problems);
  return {
    aws,
    workerId: env.WORKER_ID?.trim() || `${hostname()}-${process.pid}`,
    concurrency,
    tempDir: env.WORKER_TEMP_DIR?.trim() || join(tmpdir(), 'media-worker'),
    shutdownGraceMs,
    visibilityTimeoutSeconds,
    policy: { maxInputBytes, maxDurationSeconds, maxWidth, maxHeight },
    defaultPresets,
    stallTimeoutMs,
    progressIntervalMs,
    liveHls,
    pollSchedule,
    reconcileSchedule,
    reconcileStaleMinutes,
    httpPort,
    httpHost: env.WORKER_HTTP_HOST?.trim() || '0.0.0.0',
    webhookSecret,
    webhookAllowPrivateNetworks,
    logLevel,
    ffmpegSandbox,
  };
}
