import { Type } from 'typebox';
import { EnvVar, readEnv, readEnvironment } from './env-schema.ts';
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

/** The shared AWS variables. The seed's names are aliases; the credentials are paired in code. */
export const AwsEnvSchema = Type.Object({
  AWS_REGION: Type.Optional(
    EnvVar.string({ aliases: ['AWS_DEFAULT_REGION', 'AWS_S3_REGION', 'AWS_SQS_REGION'] }),
  ),
  MEDIA_BUCKET: Type.Optional(
    EnvVar.string({
      aliases: ['AWS_S3_BUCKET_NAME'],
      description: 'the S3 bucket for uploads, jobs and outputs',
    }),
  ),
  JOBS_QUEUE_URL: Type.Optional(
    EnvVar.url({
      aliases: ['AWS_SQS_READY_QUEUE_URL'],
      description: 'the SQS queue that receives the bucket notifications',
    }),
  ),
  AWS_ENDPOINT_URL: Type.Optional(EnvVar.url()),
  AWS_ENDPOINT_URL_S3: Type.Optional(EnvVar.url()),
  AWS_ENDPOINT_URL_SQS: Type.Optional(EnvVar.url()),
  AWS_ACCESS_KEY_ID: Type.Optional(EnvVar.string()),
  AWS_SECRET_ACCESS_KEY: Type.Optional(EnvVar.string()),
  AWS_S3_ACCESS_KEY: Type.Optional(EnvVar.string()),
  AWS_S3_SECRET_KEY: Type.Optional(EnvVar.string()),
  AWS_SQS_ACCESS_KEY: Type.Optional(EnvVar.string()),
  AWS_SQS_SECRET_KEY: Type.Optional(EnvVar.string()),
});

/** Names whose presence means "real AWS (or an S3/SQS of one's own)", not local-aws. */
const AWS_MODE_NAMES = [
  'MEDIA_BUCKET',
  'AWS_S3_BUCKET_NAME',
  'JOBS_QUEUE_URL',
  'AWS_SQS_READY_QUEUE_URL',
  'AWS_ENDPOINT_URL_S3',
  'AWS_ENDPOINT_URL_SQS',
  'AWS_ENDPOINT_URL',
];

/**
 * The shared AWS settings, or undefined with one problem line per missing or bad variable.
 * @example
 * const { settings, problems } = readAwsSettings(process.env);
 */
export function readAwsSettings(env: Env): { settings: AwsSettings | undefined; problems: string[] } {
  const { values, problems } = readEnvironment(env, AwsEnvSchema);
  const region = values.AWS_REGION;
  const s3Credentials = credentials(
    values.AWS_ACCESS_KEY_ID ?? values.AWS_S3_ACCESS_KEY,
    values.AWS_SECRET_ACCESS_KEY ?? values.AWS_S3_SECRET_KEY,
  );
  const sqsCredentials = credentials(
    values.AWS_ACCESS_KEY_ID ?? values.AWS_SQS_ACCESS_KEY,
    values.AWS_SECRET_ACCESS_KEY ?? values.AWS_SQS_SECRET_KEY,
  );

  if (readEnv(env, ...AWS_MODE_NAMES) === undefined) {
    const local = LOCAL_AWS_DEFAULTS;
    const localRegion = region ?? local.region;
    // Credentials in the environment (a developer's real AWS keys) would fail local-aws's signature checks.
    return {
      settings: {
        mode: 'local',
        region: localRegion,
        bucket: local.bucket,
        queueUrl: `${local.sqsEndpoint}/000000000000/${local.queueName}`,
        s3: {
          region: localRegion,
          endpoint: local.s3Endpoint,
          forcePathStyle: true,
          credentials: { ...local.credentials },
        },
        sqs: { region: localRegion, endpoint: local.sqsEndpoint, credentials: { ...local.credentials } },
      },
      problems,
    };
  }

  const bucket = values.MEDIA_BUCKET;
  const queueUrl = values.JOBS_QUEUE_URL;
  if (bucket === undefined)
    problems.push(
      'MEDIA_BUCKET (or AWS_S3_BUCKET_NAME) is required: the S3 bucket for uploads, jobs and outputs',
    );
  if (readEnv(env, 'JOBS_QUEUE_URL', 'AWS_SQS_READY_QUEUE_URL') === undefined)
    problems.push(
      'JOBS_QUEUE_URL (or AWS_SQS_READY_QUEUE_URL) is required: the SQS queue that receives the bucket notifications',
    );
  if (region === undefined) problems.push('AWS_REGION (or AWS_S3_REGION) is required');
  if (problems.length > 0 || bucket === undefined || queueUrl === undefined || region === undefined) {
    return { settings: undefined, problems };
  }

  const s3Endpoint = values.AWS_ENDPOINT_URL_S3 ?? values.AWS_ENDPOINT_URL;
  const sqsEndpoint = values.AWS_ENDPOINT_URL_SQS ?? values.AWS_ENDPOINT_URL;
  return {
    settings: {
      mode: 'aws',
      region,
      bucket,
      queueUrl,
      s3: {
        region,
        ...(s3Endpoint === undefined ? {} : { endpoint: s3Endpoint, forcePathStyle: true }),
        ...(s3Credentials === undefined ? {} : { credentials: s3Credentials }),
      },
      sqs: {
        region,
        ...(sqsEndpoint === undefined ? {} : { endpoint: sqsEndpoint }),
        ...(sqsCredentials === undefined ? {} : { credentials: sqsCredentials }),
      },
    },
    problems,
  };
}

/**
 * The shared AWS settings; throws a {@link ConfigError} naming every missing or bad variable.
 * @example
 * const aws = loadAwsSettings(process.env);
 * const s3 = new S3Client(aws.s3);
 */
export function loadAwsSettings(env: Env = process.env): AwsSettings {
  const { settings, problems } = readAwsSettings(env);
  if (settings === undefined || problems.length > 0) throw new ConfigError(problems);
  return settings;
}

function credentials(
  accessKeyId: string | undefined,
  secretAccessKey: string | undefined,
): AwsClientSettings['credentials'] {
  return accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined;
}
