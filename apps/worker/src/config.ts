import { availableParallelism, hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AwsSettings,
  ConfigError,
  EnvVar,
  PRESET_NAMES,
  type PresetName,
  readAwsSettings,
  readEnvironment,
} from '@media-server/jobs';
import type { SandboxMode } from '@media-server/media-pipeline';
import { validateCronExpression } from 'cron';
import { Type } from 'typebox';

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

const DEV_WEBHOOK_SECRET = 'dev-webhook-secret';
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const isCron = (value: string): boolean => validateCronExpression(value).valid;
const presetList = (fallback: PresetName[]) => EnvVar.list(EnvVar.oneOf(PRESET_NAMES), { default: fallback });

/** The worker's variables (besides the shared AWS ones), their types, limits and defaults. */
export const WorkerEnvSchema = Type.Object({
  WORKER_ID: Type.Optional(EnvVar.string()),
  WORKER_CONCURRENCY: EnvVar.integer({
    default: Math.max(1, Math.floor(availableParallelism() / 2)),
    minimum: 1,
    maximum: 64,
  }),
  WORKER_TEMP_DIR: EnvVar.string({ default: join(tmpdir(), 'media-worker') }),
  WORKER_SHUTDOWN_GRACE_MS: EnvVar.integer({ default: 25_000, minimum: 0, maximum: 12 * 3600_000 }),
  WORKER_VISIBILITY_TIMEOUT_SECONDS: EnvVar.integer({ default: 20, minimum: 5, maximum: 43_200 }),
  WORKER_MAX_INPUT_BYTES: EnvVar.integer({ default: 10 * 1024 ** 3, minimum: 1 }),
  WORKER_MAX_DURATION_SECONDS: EnvVar.integer({ default: 4 * 3600, minimum: 1 }),
  WORKER_MAX_RESOLUTION: EnvVar.string({
    default: '7680x4320',
    check: (value) => {
      const match = /^(\d{1,5})x(\d{1,5})$/.exec(value);
      return match !== null && Number(match[1]) > 0 && Number(match[2]) > 0;
    },
    expected: '<width>x<height> like 3840x2160',
  }),
  WORKER_STALL_TIMEOUT_MS: EnvVar.integer({ default: 120_000, minimum: 1000 }),
  WORKER_PROGRESS_INTERVAL_MS: EnvVar.integer({ default: 2000, minimum: 100 }),
  WORKER_HTTP_PORT: EnvVar.integer({ default: 3001, minimum: 0, maximum: 65_535 }),
  WORKER_HTTP_HOST: EnvVar.string({ default: '0.0.0.0' }),
  WORKER_POLL_SCHEDULE: Type.Optional(
    EnvVar.string({ check: isCron, expected: 'a cron expression (with seconds)' }),
  ),
  WORKER_LIVE_HLS: EnvVar.boolean({ default: true }),
  WORKER_VIDEO_PRESETS: presetList(['mp4', 'hls', 'poster', 'sprite']),
  WORKER_AUDIO_PRESETS: presetList(['audio']),
  WORKER_IMAGE_PRESETS: presetList(['image']),
  RECONCILE_SCHEDULE: EnvVar.string({
    default: '0 * * * * *',
    check: (value) => value === 'off' || isCron(value),
    expected: 'a cron expression (with seconds) or "off"',
  }),
  RECONCILE_STALE_MINUTES: EnvVar.integer({ default: 10, minimum: 1 }),
  WEBHOOK_SECRET: Type.Optional(EnvVar.string()),
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: Type.Optional(EnvVar.boolean({})),
  LOG_LEVEL: EnvVar.oneOf(LOG_LEVELS, { default: 'info' }),
  FFMPEG_SANDBOX: Type.Optional(EnvVar.oneOf(['required', 'auto', 'off'])),
});

/**
 * Reads the worker's settings (on top of the shared AWS settings) and reports every bad or missing value
 * at once in a {@link ConfigError}.
 */
export function loadWorkerConfig(env: Env = process.env): WorkerConfig {
  const { settings: aws, problems } = readAwsSettings(env);
  const read = readEnvironment(env, WorkerEnvSchema);
  problems.push(...read.problems);
  const values = read.values;
  // AWS settings that failed to load were still meant for AWS (local mode means none were given).
  const local = aws?.mode === 'local';
  if (values.WEBHOOK_SECRET === undefined && !local) {
    problems.push('WEBHOOK_SECRET is required with real AWS settings: it signs the webhooks sent to clients');
  }
  if (problems.length > 0 || aws === undefined) throw new ConfigError(problems);
  const [maxWidth, maxHeight] = values.WORKER_MAX_RESOLUTION.split('x').map(Number) as [number, number];
  const reconcileSchedule = values.RECONCILE_SCHEDULE;
  return {
    aws,
    workerId: values.WORKER_ID ?? `${hostname()}-${process.pid}`,
    concurrency: values.WORKER_CONCURRENCY,
    tempDir: values.WORKER_TEMP_DIR,
    shutdownGraceMs: values.WORKER_SHUTDOWN_GRACE_MS,
    visibilityTimeoutSeconds: values.WORKER_VISIBILITY_TIMEOUT_SECONDS,
    policy: {
      maxInputBytes: values.WORKER_MAX_INPUT_BYTES,
      maxDurationSeconds: values.WORKER_MAX_DURATION_SECONDS,
      maxWidth,
      maxHeight,
    },
    defaultPresets: {
      video: [...new Set(values.WORKER_VIDEO_PRESETS)],
      audio: [...new Set(values.WORKER_AUDIO_PRESETS)],
      image: [...new Set(values.WORKER_IMAGE_PRESETS)],
    },
    stallTimeoutMs: values.WORKER_STALL_TIMEOUT_MS,
    progressIntervalMs: values.WORKER_PROGRESS_INTERVAL_MS,
    liveHls: values.WORKER_LIVE_HLS,
    pollSchedule: values.WORKER_POLL_SCHEDULE,
    reconcileSchedule: reconcileSchedule === 'off' ? undefined : reconcileSchedule,
    reconcileStaleMinutes: values.RECONCILE_STALE_MINUTES,
    httpPort: values.WORKER_HTTP_PORT,
    httpHost: values.WORKER_HTTP_HOST,
    webhookSecret: values.WEBHOOK_SECRET ?? DEV_WEBHOOK_SECRET,
    webhookAllowPrivateNetworks: values.WEBHOOK_ALLOW_PRIVATE_NETWORKS ?? local,
    logLevel: values.LOG_LEVEL,
    ffmpegSandbox: values.FFMPEG_SANDBOX ?? (local ? 'auto' : 'required'),
  };
}
