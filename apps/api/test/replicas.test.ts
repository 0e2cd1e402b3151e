import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type LocalAws, startLocalAws } from '@media-server/local-aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../src/api-keys.ts';
import { bytes, readJson, TEST_KEY } from './harness.ts';

const apiDir = fileURLToPath(new URL('..', import.meta.url));

/** An HTTP proxy in front of SQS that holds every SendMessage for `delayMs` (a slow queue). */
async function startSlowSqs(target: string, delayMs: number): Promise<{ endpoint: string; server: Server }> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      if (String(request.headers['x-amz-target']).endsWith('.SendMessage'))
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers))
        if (typeof value === 'string' && name !== 'host' && name !== 'connection') headers[name] = value;
      const answer = await fetch(target + (request.url ?? '/'), {
        method: request.method ?? 'POST',
        headers,
        body: Buffer.concat(chunks),
      });
      const out: Record<string, string> = {};
      answer.headers.forEach((value, name) => {
        if (!['content-length', 'transfer-encoding', 'connection'].includes(name)) out[name] = value;
      });
      response.writeHead(answer.status, out);
      response.end(Buffer.from(await answer.arrayBuffer()));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function startApi(env: Record<string, string>): Promise<{ child: ChildProcess; address: string }> {
  const child = spawn(process.execPath, ['--conditions=@media-server/source', 'src/main.ts'], {
    cwd: apiDir,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`API did not start: ${out}`)), 30_000);
    child.stdout?.on('data', (chunk) => {
      out += chunk;
      const line = out.split('\n').find((entry) => entry.includes('api listening'));
      if (line !== undefined) {
        clearTimeout(timer);
        resolve(JSON.parse(line).address as string);
      }
    });
  });
  return { child, address };
}

describe('two API replicas behind one client', () => {
  let aws: LocalAws;
  let slowSqs: { endpoint: string; server: Server };
  let replicas: Array<{ child: ChildProcess; address: string }> = [];
  let s3: S3Client;
  let next = 0;
  /** The client's "load balancer": each request goes to the next replica. */
  const call = (path: string, init: RequestInit & { replica?: number } = {}) => {
    const replica = replicas[init.replica ?? next++ % replicas.length];
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${TEST_KEY}`);
    if (init.body !== undefined) headers.set('content-type', 'application/json');
    return fetch(`${replica?.address}${path}`, { ...init, headers });
  };

  beforeAll(async () => {
    aws = await startLocalAws({ queues: [{ name: 'media-jobs' }], buckets: ['media'] });
    slowSqs = await startSlowSqs(aws.sqsEndpoint, 1500);
    s3 = new S3Client(aws.clientConfig().s3);
    const env = {
      ...aws.env(),
      AWS_ENDPOINT_URL_SQS: slowSqs.endpoint,
      MEDIA_BUCKET: 'media',
      JOBS_QUEUE_URL: aws.queueUrl('media-jobs'),
      API_KEYS: `test:${hashApiKey(TEST_KEY)}`,
      UPLOADS_PER_KEY_PER_HOUR: '3',
      PLAYBACK_SECRET: 'replicas-playback-secret-0123456789abcdef',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
    };
    replicas = await Promise.all([startApi(env), startApi(env)]);
  }, 60_000);
  afterAll(async () => {
    for (const replica of replicas) replica.child.kill('SIGKILL');
    slowSqs?.server.closeAllConnections();
    slowSqs?.server.close();
    s3?.destroy();
    await aws?.stop();
  });

  it('the per-key upload limit counts across replicas', async () => {
    const create = () =>
      call('/v1/uploads', {
        method: 'POST',
        body: JSON.stringify({ filename: 'a.mp4', contentType: 'video/mp4', size: 10 }),
      });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await create()).status);
    expect(statuses).toEqual([201, 201, 201, 429]);
  });

  it('a request with an Idempotency-Key still running on one replica is not run again on the other', async () => {
    // Prepare: an object to make a job of; SendMessage takes 1.5 s, so the first request is still running.
    await s3.send(
      new PutObjectCommand({
        Bucket: 'media',
        Key: 'library/one.mp4',
        Body: bytes(10),
        ContentType: 'video/mp4',
      }),
    );
    const body = JSON.stringify({ key: 'library/one.mp4' });
    const headers = { 'idempotency-key': 'create-one' };

    // Act: the same request on replica 0, then (while it runs) on replica 1, then again once it is done.
    const first = call('/v1/jobs', { method: 'POST', body, headers, replica: 0 });
    await new Promise((resolve) => setTimeout(resolve, 400));
    const second = await call('/v1/jobs', { method: 'POST', body, headers, replica: 1 });
    const firstAnswer = await first;
    const third = await call('/v1/jobs', { method: 'POST', body, headers, replica: 1 });

    // Assess
    expect(firstAnswer.status).toBe(202);
    expect(second.status).toBe(409);
    expect((await readJson(second)).code).toBe('IDEMPOTENCY_KEY_IN_USE');
    expect(third.status).toBe(202);
    expect(third.headers.get('idempotent-replayed')).toBe('true');
    expect((await readJson(third)).id).toBe((await readJson(firstAnswer)).id);
  });
});
