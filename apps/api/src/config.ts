import { type AwsSettings, ConfigError, EnvVar, readAwsSettings, readEnvironment } from '@media-server/jobs';
import { Type } from 'typebox';
import { type ApiKey, parseApiKeys } from './api-keys.ts';
import { type PlaybackConfig, readPlaybackConfig } from './playback/playback-config.ts';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** The key accepted in local mode when `API_KEYS` is not set. Never accepted against real AWS. */
export const DEV_API_KEY = 'dev-key';

/** Everything the API is configured with. `loadConfig(process.env)` builds it; tests build it directly. */
export interface ApiConfig {
  /** Interface to listen on. Default `127.0.0.1` in local mode, `0.0.0.0` against AWS. */
  host: string;
  /** Port to listen on; 0 picks a free one. Default 3000. */
  port: number;
  aws: AwsSettings;
  /** Accepted API keys (hashed). */
  apiKeys: ApiKey[];
  /** True when no key was configured and the documented development key is accepted. */
  devKeyEnabled: boolean;
  /** S3 endpoint that presigned URLs name, when clients reach S3 under another address. Default: the S3 endpoint. */
  s3PublicEndpoint?: string | undefined;
  uploads: UploadLimits;
  /** Lifetime of presigned GET links to outputs. Default 3600 s. */
  downloadUrlTtlSeconds: number;
  /** Largest request body the API accepts. Default 1 MiB. */
  bodyLimitBytes: number;
  /** How often the SSE stream reads the status document. Default 1000 ms. */
  ssePollMs: number;
  /** Interval of SSE heartbeat comments. Default 15 000 ms. */
  sseHeartbeatMs: number;
  /** A stream is closed after this long (clients reconnect). Default 3600 s. */
  sseMaxSeconds: number;
  /** How long an `Idempotency-Key` answer is replayed. Default 86 400 s. */
  idempotencyTtlSeconds: number;
  /** Origins allowed by CORS (browsers using Uppy); `*` for any. Default: none (CORS off). */
  corsOrigins: string[];
  /** pino level. Default `info`. */
  logLevel: string;
  /** Signed playback links (`PLAYBACK_SECRET`, `PLAYBACK_TTL_SECONDS`, `PLAYBACK_BASE_URL`). */
  playback: PlaybackConfig;
}

export interface UploadLimits {
  /** Largest upload accepted. Default 10 GiB. */
  maxBytes: number;
  /** Accepted content types; `video/*` style wildcards allowed. Default `video/*,audio/*,image/*`. */
  allowedContentTypes: string[];
  /** Uploads of at least this size are multipart. Default 100 MiB. */
  multipartThresholdBytes: number;
  /** Part size of multipart uploads (grown when a file would need more than `maxParts`). Default 16 MiB. */
  partSizeBytes: number;
  /** Most parts in one multipart upload. Default 1000 (S3 allows 10 000). */
  maxParts: number;
  /** Lifetime of presigned upload URLs. Default 900 s. */
  urlTtlSeconds: number;
  /** Uploads one API key may create per hour (per API process). Default 1000. */
  perKeyPerHour: number;
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The API's variables (besides the shared AWS and playback ones), their types, limits and defaults. */
export const ApiEnvSchema = Type.Object({
  HOST: Type.Optional(EnvVar.string()),
  PORT: EnvVar.integer({ default: 3000, minimum: 0, maximum: 65535 }),
  API_KEYS: Type.Optional(EnvVar.string()),
  S3_PUBLIC_ENDPOINT: Type.Optional(EnvVar.url()),
  UPLOAD_MAX_BYTES: EnvVar.integer({ default: 10 * GiB, minimum: 1, maximum: 5 * 1024 * GiB }),
  UPLOAD_ALLOWED_TYPES: EnvVar.list(
    EnvVar.string({
      check: (type) => /^[a-z0-9!#$&^_.+-]+\/([a-z0-9!#$&^_.+-]+|\*)$/i.test(type),
      expected: 'type/subtype or type/*',
    }),
    { default: ['video/*', 'audio/*', 'image/*'] },
  ),
  UPLOAD_MULTIPART_THRESHOLD_BYTES: EnvVar.integer({
    default: 100 * MiB,
    minimum: 5 * MiB,
    maximum: 5 * GiB,
  }),
  UPLOAD_PART_SIZE_BYTES: EnvVar.integer({ default: 16 * MiB, minimum: 5 * MiB, maximum: 5 * GiB }),
  UPLOAD_MAX_PARTS: EnvVar.integer({ default: 1000, minimum: 1, maximum: 10000 }),
  UPLOAD_URL_TTL_SECONDS: EnvVar.integer({ default: 900, minimum: 60, maximum: 604800 }),
  UPLOADS_PER_KEY_PER_HOUR: EnvVar.integer({ default: 1000, minimum: 1 }),
  DOWNLOAD_URL_TTL_SECONDS: EnvVar.integer({ default: 3600, minimum: 60, maximum: 604800 }),
  BODY_LIMIT_BYTES: EnvVar.integer({ default: MiB, minimum: 1024, maximum: 64 * MiB }),
  SSE_POLL_MS: EnvVar.integer({ default: 1000, minimum: 100, maximum: 60000 }),
  SSE_HEARTBEAT_MS: EnvVar.integer({ default: 15000, minimum: 1000, maximum: 300000 }),
  SSE_MAX_SECONDS: EnvVar.integer({ default: 3600, minimum: 10, maximum: 86400 }),
  IDEMPOTENCY_TTL_SECONDS: EnvVar.integer({ default: 86400, minimum: 60, maximum: 30 * 86400 }),
  CORS_ORIGINS: EnvVar.list(
    EnvVar.string({
      check: (origin) => origin === '*' || isHttpOrigin(origin),
      expected: '* or http(s) origins',
    }),
    { default: [] },
  ),
  LOG_LEVEL: EnvVar.oneOf(LOG_LEVELS, { default: 'info' }),
});

/**
 * Reads the configuration from the environment and checks every value, collecting one clear message
 * per bad value into a single {@link ConfigError}.
 */
export function loadConfig(env: Env = process.env): ApiConfig {
  const { settings: aws, problems } = readAwsSettings(env);
  const read = readEnvironment(env, ApiEnvSchema);
  problems.push(...read.problems);
  const values = read.values;

  let apiKeys: ApiKey[] = [];
  const rawKeys = values.API_KEYS;
  if (rawKeys !== undefined) {
    const parsed = parseApiKeys(rawKeys);
    apiKeys = parsed.keys;
    problems.push(...parsed.problems);
  }
  const devKeyEnabled = rawKeys === undefined && aws?.mode === 'local';
  if (rawKeys === undefined && aws?.mode === 'aws') {
    problems.push(
      'API_KEYS is required against AWS: comma-separated <id>:<sha256 hex of the key> (see the README)',
    );
  }
  const playback = readPlaybackConfig(env, aws?.mode, problems);
  if (problems.length > 0 || aws === undefined) throw new ConfigError(problems);

  return {
    host: values.HOST ?? (aws.mode === 'aws' ? '0.0.0.0' : '127.0.0.1'),
    port: values.PORT,
    aws,
    apiKeys,
    devKeyEnabled,
    s3PublicEndpoint: values.S3_PUBLIC_ENDPOINT,
    uploads: {
      maxBytes: values.UPLOAD_MAX_BYTES,
      allowedContentTypes: values.UPLOAD_ALLOWED_TYPES,
      multipartThresholdBytes: values.UPLOAD_MULTIPART_THRESHOLD_BYTES,
      partSizeBytes: values.UPLOAD_PART_SIZE_BYTES,
      maxParts: values.UPLOAD_MAX_PARTS,
      urlTtlSeconds: values.UPLOAD_URL_TTL_SECONDS,
      perKeyPerHour: values.UPLOADS_PER_KEY_PER_HOUR,
    },
    downloadUrlTtlSeconds: values.DOWNLOAD_URL_TTL_SECONDS,
    bodyLimitBytes: values.BODY_LIMIT_BYTES,
    ssePollMs: values.SSE_POLL_MS,
    sseHeartbeatMs: values.SSE_HEARTBEAT_MS,
    sseMaxSeconds: values.SSE_MAX_SECONDS,
    idempotencyTtlSeconds: values.IDEMPOTENCY_TTL_SECONDS,
    corsOrigins: values.CORS_ORIGINS,
    logLevel: values.LOG_LEVEL,
    playback,
  };
}

function isHttpOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value.replace(/\/$/, '');
  } catch {
    return false;
  }
}
