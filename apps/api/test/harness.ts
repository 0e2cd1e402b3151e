import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createClient, type MediaServerClient } from '@media-server/client';
import { type LocalAws, startLocalAws } from '@media-server/local-aws';
import { type Logger, pino } from 'pino';
import { hashApiKey } from '../src/api-keys.ts';
import { type ApiApp, buildApp } from '../src/app.ts';
import { type ApiConfig, loadConfig } from '../src/config.ts';
import { createAwsClients } from '../src/context.ts';

export const TEST_KEY = 'test-key-0123456789';
export const OTHER_KEY = 'other-key-9876543210';
const BUCKET = 'media';
const QUEUE = 'media-jobs';

export interface Harness {
  aws: LocalAws;
  app: ApiApp;
  config: ApiConfig;
  baseUrl: string;
  client: MediaServerClient;
  s3: S3Client;
  sqs: SQSClient;
  queueUrl: string;
  /** fetch against the API with the test key (unless `headers.authorization` says otherwise). */
  api(path: string, init?: RequestInit): Promise<Response>;
  /** Puts `size` bytes (not a real video) under `key` in the media bucket, typed `video/mp4`. */
  putVideo(key: string, size: number): Promise<void>;
  /** Receives messages from the jobs queue until `match` accepts one (or the deadline passes). */
  receiveUntil(match: (body: string) => boolean, timeoutMs?: number): Promise<string | undefined>;
  stop(): Promise<void>;
}

/** Small sizes so tests move little data; the environment's minimums (5 MiB parts) do not apply here. */
export type ConfigOverrides = Partial<Omit<ApiConfig, 'uploads'>> & {
  uploads?: Partial<ApiConfig['uploads']>;
};

export interface HarnessOptions {
  /** API keys accepted besides TEST_KEY and OTHER_KEY: id → key. */
  keys?: Record<string, string>;
  /** Admin API keys (they see every job): id → key. */
  adminKeys?: Record<string, string>;
  /** Default: silent. */
  logger?: Logger;
  /**
   * `small` (default): 64 KiB parts and multipart above 256 KiB, so tests move little data;
   * `config`: the sizes the configuration gives (benchmarks, schemathesis).
   */
  partSizes?: 'small' | 'config';
}

/**
 * Starts local-aws (bucket, jobs queue, uploads/ notification) and the API on loopback ports. Used by the
 * tests, the benchmark and the schemathesis run, so all three exercise the same stack.
 */
export async function startHarness(
  overrides: ConfigOverrides = {},
  options: HarnessOptions = {},
): Promise<Harness> {
  const aws = await startLocalAws({
    queues: [{ name: QUEUE }],
    buckets: [BUCKET],
    notifications: [{ bucket: BUCKET, queue: QUEUE, prefix: 'uploads/' }],
  });
  const queueUrl = aws.queueUrl(QUEUE);
  const env = {
    ...aws.env(),
    MEDIA_BUCKET: BUCKET,
    JOBS_QUEUE_URL: queueUrl,
    API_KEYS: [
      ...Object.entries({ test: TEST_KEY, other: OTHER_KEY, ...options.keys }).map(
        ([id, key]) => `${id}:${hashApiKey(key)}`,
      ),
      ...Object.entries(options.adminKeys ?? {}).map(([id, key]) => `${id}:${hashApiKey(key)}:admin`),
    ].join(','),
    PORT: '0',
    LOG_LEVEL: 'silent',
    PLAYBACK_SECRET: 'test-playback-secret-0123456789abcdef',
  };
  const base = loadConfig(env);
  const config: ApiConfig = {
    ...base,
    ...overrides,
    uploads: {
      ...base.uploads,
      ...(options.partSizes === 'config'
        ? {}
        : { multipartThresholdBytes: 256 * 1024, partSizeBytes: 64 * 1024 }),
      ...overrides.uploads,
    },
  };
  const clients = createAwsClients(config);
  const app = await buildApp(config, clients, { logger: options.logger ?? pino({ level: 'silent' }) });
  const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  const sqs = new SQSClient(aws.clientConfig().sqs);
  const s3 = new S3Client(aws.clientConfig().s3);
  return {
    aws,
    app,
    config,
    baseUrl,
    client: createClient({ baseUrl, apiKey: TEST_KEY }),
    s3,
    sqs,
    queueUrl,
    api(path, init = {}) {
      const headers = new Headers(init.headers);
      if (!headers.has('authorization')) headers.set('authorization', `Bearer ${TEST_KEY}`);
      return fetch(baseUrl + path, { ...init, headers });
    },
    async putVideo(key, size) {
      await s3.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: bytes(size), ContentType: 'video/mp4' }),
      );
    },
    async receiveUntil(match, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
        );
        for (const message of Messages) {
          await sqs.send(
            new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
          );
          if (message.Body !== undefined && match(message.Body)) return message.Body;
        }
      }
      return undefined;
    },
    async stop() {
      await app.close();
      clients.s3.destroy();
      clients.sqs.destroy();
      s3.destroy();
      sqs.destroy();
      await aws.stop();
    },
  };
}

/** Deterministic bytes of a given length. */
export function bytes(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let value = seed;
  for (let i = 0; i < length; i += 1) {
    value = (value * 1103515245 + 12345) & 0x7fffffff;
    out[i] = value & 0xff;
  }
  return out;
}

// biome-ignore lint/suspicious/noExplicitAny: tests check response bodies with assertions, not types
export type Loose = any;

/** A response's JSON body, untyped: the assertions check it. */
export async function readJson(response: Response): Promise<Loose> {
  return response.json();
}
