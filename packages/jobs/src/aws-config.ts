import { ConfigError } from './errors.ts';

/**
 * The AWS settings both apps share, read from the environment. With none of them set the apps run
 * against local-aws on its development ports (`pnpm dev`); with any of them set, every required one
 * must be set. The seed's variable names are accepted as aliases so an existing deployment moves over.
 */
export interface AwsSettings {
  mode: 'local' | 'aws';
  region: string;
  bucket: string;
  queueUrl: string;
  /** Client config for `new S3Client(...)`. */
  s3: AwsClientSettings & { forcePathStyle?: boolean };
  /** Client config for `new SQSClient(...)`. */
  sqs: AwsClientSettings;
}

export interface AwsClientSettings {
  region: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** Development defaults: what `local-aws start` uses in `pnpm dev`. */
export const LOCAL_AWS_DEFAULTS = {
  region: 'us-east-1',
  sqsEndpoint: 'http://127.0.0.1:4566',
  s3Endpoint: 'http://127.0.0.1:4567',
  bucket: 'media',
  queueName: 'media-jobs',
  /** local-aws's LOCAL_AWS_CREDENTIALS: the only ones its S3 accepts while it checks signatures. */
  credentials: { accessKeyId: 'local-aws', secretAccessKey: 'local-aws-secret' },
} as const;

type Env = Record<string, string | undefined>;

/** The first of `names` that is set (non-empty) in `env`. */
export function readEnv(env: Env, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return value;
  }
  return undefined;
}

export function loadAwsSettings(env: Env = process.env): AwsSettings {
  const region = readEnv(env, 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_S3_REGION', 'AWS_SQS_REGION');
  const bucket = readEnv(env, 'MEDIA_BUCKET', 'AWS_S3_BUCKET_NAME');
  const queueUrl = readEnv(env, 'JOBS_QUEUE_URL', 'AWS_SQS_READY_QUEUE_URL');
  const s3Endpoint = readEnv(env, 'AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL');
  const sqsEndpoint = readEnv(env, 'AWS_ENDPOINT_URL_SQS', 'AWS_ENDPOINT_URL');
  const s3Credentials = credentials(
    env,
    ['AWS_ACCESS_KEY_ID', 'AWS_S3_ACCESS_KEY'],
    ['AWS_SECRET_ACCESS_KEY', 'AWS_S3_SECRET_KEY'],
  );
  const sqsCredentials = credentials(
    env,
    ['AWS_ACCESS_KEY_ID', 'AWS_SQS_ACCESS_KEY'],
    ['AWS_SECRET_ACCESS_KEY', 'AWS_SQS_SECRET_KEY'],
  );

  if ([bucket, queueUrl, s3Endpoint, sqsEndpoint].every((value) => value === undefined)) {
    const local = LOCAL_AWS_DEFAULTS;
    const localRegion = region ?? local.region;
    // Credentials in the environment (a developer's real AWS keys) would fail local-aws's signature checks.
    const clientCredentials = { ...local.credentials };
    return {
      mode: 'local',
      region: localRegion,
      bucket: local.bucket,
      queueUrl: `${local.sqsEndpoint}/000000000000/${local.queueName}`,
      s3: {
        region: localRegion,
        endpoint: local.s3Endpoint,
        forcePathStyle: true,
        credentials: clientCredentials,
      },
      sqs: {
        region: localRegion,
        endpoint: local.sqsEndpoint,
        credentials: { ...local.credentials },
      },
    };
  }

  const problems: string[] = [];
  if (bucket === undefined)
    problems.push(
      'MEDIA_BUCKET (or AWS_S3_BUCKET_NAME) is required: the S3 bucket for uploads, jobs and outputs',
    );
  if (queueUrl === undefined)
    problems.push(
      'JOBS_QUEUE_URL (or AWS_SQS_READY_QUEUE_URL) is required: the SQS queue that receives the bucket notifications',
    );
  else if (!isHttpUrl(queueUrl)) problems.push(`JOBS_QUEUE_URL must be an http(s) URL, got "${queueUrl}"`);
  if (region === undefined) problems.push('AWS_REGION (or AWS_S3_REGION) is required');
  for (const [name, value] of [
    ['AWS_ENDPOINT_URL_S3', s3Endpoint],
    ['AWS_ENDPOINT_URL_SQS', sqsEndpoint],
  ] as const) {
    if (value !== undefined && !isHttpUrl(value))
      problems.push(`${name} must be an http(s) URL, got "${value}"`);
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const settingsRegion = region as string;
  return {
    mode: 'aws',
    region: settingsRegion,
    bucket: bucket as string,
    queueUrl: queueUrl as string,
    s3: {
      region: settingsRegion,
      ...(s3Endpoint === undefined ? {} : { endpoint: s3Endpoint, forcePathStyle: true }),
      ...(s3Credentials === undefined ? {} : { credentials: s3Credentials }),
    },
    sqs: {
      region: settingsRegion,
      ...(sqsEndpoint === undefined ? {} : { endpoint: sqsEndpoint }),
      ...(sqsCredentials === undefined ? {} : { credentials: sqsCredentials }),
    },
  };
}

function credentials(env: Env, idNames: string[], secretNames: string[]): AwsClientSettings['credentials'] {
  const accessKeyId = readEnv(env, ...idNames);
  const secretAccessKey = readEnv(env, ...secretNames);
  return accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
