import { type AwsSettings, ConfigError, EnvReader, readEnv } from '@media-server/jobs';
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

/**
 * Reads the configuration from the environment and checks every value, collecting one clear message
 * per bad value into a single {@link ConfigError}.
 */
export function loadConfig(env: Env = process.env): ApiConfig {
  const reader = new EnvReader(env);
  const problems = reader.problems;
  const aws = reader.aws();
  const number = reader.integer.bind(reader);
  const list = reader.list.bind(reader);

  const port = number('PORT', 3000, 0, 65535);
  let apiKeys: ApiKey[] = [];
  const rawKeys = readEnv(env, 'API_KEYS');
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

  const allowedContentTypes = list('UPLOAD_ALLOWED_TYPES', ['video/*', 'audio/*', 'image/*']);
  for (const type of allowedContentTypes) {
    if (!/^[a-z0-9!#$&^_.+-]+\/([a-z0-9!#$&^_.+-]+|\*)$/i.test(type)) {
      problems.push(`UPLOAD_ALLOWED_TYPES has "${type}", which is not a type/subtype or type/*`);
    }
  }
  const corsOrigins = list('CORS_ORIGINS', []);
  for (const origin of corsOrigins) {
    if (origin !== '*' && !isHttpOrigin(origin)) {
      problems.push(`CORS_ORIGINS has "${origin}", which is neither * nor an http(s) origin`);
    }
  }
  const s3PublicEndpoint = readEnv(env, 'S3_PUBLIC_ENDPOINT');
  if (s3PublicEndpoint !== undefined && !isHttpUrl(s3PublicEndpoint)) {
    problems.push(`S3_PUBLIC_ENDPOINT must be an http(s) URL, got "${s3PublicEndpoint}"`);
  }
  const logLevel = readEnv(env, 'LOG_LEVEL') ?? 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    problems.push(
      `LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "${logLevel}"`,
    );
  }

  const uploads: UploadLimits = {
    maxBytes: number('UPLOAD_MAX_BYTES', 10 * GiB, 1, 5 * 1024 * GiB),
    allowedContentTypes,
    multipartThresholdBytes: number('UPLOAD_MULTIPART_THRESHOLD_BYTES', 100 * MiB, 5 * MiB, 5 * GiB),
    partSizeBytes: number('UPLOAD_PART_SIZE_BYTES', 16 * MiB, 5 * MiB, 5 * GiB),
    maxParts: number('UPLOAD_MAX_PARTS', 1000, 1, 10000),
    urlTtlSeconds: number('UPLOAD_URL_TTL_SECONDS', 900, 60, 604800),
    perKeyPerHour: number('UPLOADS_PER_KEY_PER_HOUR', 1000, 1),
  };

  const config = {
    host: readEnv(env, 'HOST') ?? (aws?.mode === 'aws' ? '0.0.0.0' : '127.0.0.1'),
    port,
    apiKeys,
    devKeyEnabled,
    s3PublicEndpoint,
    uploads,
    downloadUrlTtlSeconds: number('DOWNLOAD_URL_TTL_SECONDS', 3600, 60, 604800),
    bodyLimitBytes: number('BODY_LIMIT_BYTES', MiB, 1024, 64 * MiB),
    ssePollMs: number('SSE_POLL_MS', 1000, 100, 60000),
    sseHeartbeatMs: number('SSE_HEARTBEAT_MS', 15000, 1000, 300000),
    sseMaxSeconds: number('SSE_MAX_SECONDS', 3600, 10, 86400),
    idempotencyTtlSeconds: number('IDEMPOTENCY_TTL_SECONDS', 86400, 60, 30 * 86400),
    corsOrigins,
    logLevel,
    playback: readPlaybackConfig(reader, aws?.mode),
  };
  if (problems.length > 0 || aws === undefined) throw new ConfigError(problems);
  return { ...config, aws };
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function isHttpOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value.replace(/\/$/, '');
  } catch {
    return false;
  }
}
