import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type MediaServerClient } from '@media-server/client';
import { type LocalAws, startLocalAws } from '@media-server/local-aws';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../src/api-keys.ts';
import { type ApiApp, buildApp } from '../src/app.ts';
import { type ApiConfig, loadConfig } from '../src/config.ts';
import { createAwsClients } from '../src/context.ts';
import { bytes, TEST_KEY } from './harness.ts';

interface S3rverInstance {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}
const require = createRequire(import.meta.url);

/**
 * The API signs for a plain s3rver that checks signatures (its built-in S3RVER/S3RVER account), as S3
 * does: the signed headers must match. (local-aws checks signatures too now, through the same s3rver
 * code; this test keeps s3rver alone as a second witness.)
 */
describe('presigned URLs against an S3 that checks signatures', () => {
  let aws: LocalAws;
  let s3rver: S3rverInstance;
  let directory: string;
  let app: ApiApp;
  let client: MediaServerClient;
  let clients: ReturnType<typeof createAwsClients>;
  let config: ApiConfig;

  beforeAll(async () => {
    aws = await startLocalAws({ queues: [{ name: 'media-jobs' }] });
    directory = await mkdtemp(join(tmpdir(), 'api-strict-s3-'));
    const S3rver = require('@20minutes/s3rver') as new (options: Record<string, unknown>) => S3rverInstance;
    s3rver = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory,
      allowMismatchedSignatures: false,
      configureBuckets: [{ name: 'media', configs: [] }],
    });
    const { port } = await s3rver.run();
    const base = loadConfig({
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${port}`,
      AWS_ENDPOINT_URL_SQS: aws.sqsEndpoint,
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      MEDIA_BUCKET: 'media',
      JOBS_QUEUE_URL: aws.queueUrl('media-jobs'),
      API_KEYS: `test:${hashApiKey(TEST_KEY)}`,
      PLAYBACK_SECRET: 'test-playback-secret-0123456789abcdef',
      LOG_LEVEL: 'silent',
    });
    config = {
      ...base,
      uploads: {
        ...base.uploads,
        multipartThresholdBytes: 128 * 1024,
        partSizeBytes: 64 * 1024,
        urlTtlSeconds: 300,
      },
    };
    clients = createAwsClients(config);
    app = await buildApp(config, clients, { logger: pino({ level: 'silent' }) });
    client = createClient({ baseUrl: await app.listen({ host: '127.0.0.1', port: 0 }), apiKey: TEST_KEY });
  });
  afterAll(async () => {
    await app?.close();
    clients?.s3.destroy();
    clients?.sqs.destroy();
    await s3rver?.close();
    await aws?.stop();
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  async function put(url: string, body: Uint8Array, headers: Record<string, string>): Promise<number> {
    const response = await fetch(url, { method: 'PUT', body, headers });
    await response.arrayBuffer();
    return response.status;
  }

  it('accepts exactly the signed size and type, refuses another size, another type, and after expiry', async () => {
    const upload = await client.uploads.create({ filename: 'a.mp4', contentType: 'video/mp4', size: 100 });
    if (upload.method !== 'put') throw new Error('expected a single PUT');
    // The app reads its configuration per request: this one upload gets URLs that live 1 s.
    config.uploads.urlTtlSeconds = 1;
    const other = await client.uploads
      .create({ filename: 'b.mp4', contentType: 'video/mp4', size: 100 })
      .finally(() => {
        config.uploads.urlTtlSeconds = 300;
      });
    if (other.method !== 'put') throw new Error('expected a single PUT');
    expect(new URL(other.url).searchParams.get('X-Amz-Expires')).toBe('1');

    const biggerStatus = await put(upload.url, bytes(101), { 'content-type': 'video/mp4' });
    const otherTypeStatus = await put(upload.url, bytes(100), { 'content-type': 'video/webm' });
    const exactStatus = await put(upload.url, bytes(100), upload.headers);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const expiredStatus = await put(other.url, bytes(100), other.headers);

    expect(biggerStatus).toBe(403);
    expect(otherTypeStatus).toBe(403);
    expect(exactStatus).toBe(200);
    expect(expiredStatus).toBe(403);
  });

  it('each multipart part URL carries its exact size', async () => {
    const upload = await client.uploads.create({
      filename: 'c.mp4',
      contentType: 'video/mp4',
      size: 200 * 1024,
    });
    if (upload.method !== 'multipart') throw new Error('expected multipart');
    const [first, last] = [upload.parts[0], upload.parts.at(-1)];
    if (first === undefined || last === undefined) throw new Error('no parts');
    expect(await put(first.url, bytes(first.size + 1), {})).toBe(403);
    expect(await put(first.url, bytes(first.size), {})).toBe(200);
    expect(await put(last.url, bytes(last.size), {})).toBe(200);
  });
});
