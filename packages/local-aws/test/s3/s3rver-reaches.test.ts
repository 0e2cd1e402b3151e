import { once } from 'node:events';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateMultipartUploadCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import manifest from '../../package.json' with { type: 'json' };
import { type LocalAws, startLocalAws } from '../../src/index.ts';
import {
  checkS3rverReaches,
  createS3rver,
  objectResourcePath,
  S3RVER_PACKAGE,
  S3RVER_REACHES,
  S3RVER_VERSION,
  type S3rverEvent,
  type S3rverInstance,
  S3rverReachError,
  UPLOAD_FILES,
  uploadDirectoryPath,
} from '../../src/s3rver-internals.ts';

// local-aws reaches into s3rver's internals (files by path, store methods, on-disk layout, middleware
// order). Each reach is checked here by name, so an s3rver upgrade fails with the reach that broke.

describe('s3rver reaches', () => {
  let directory: string;
  let server: S3rverInstance;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'local-aws-reaches-'));
    server = createS3rver({ directory, silent: true, configureBuckets: [] });
  });

  afterAll(async () => {
    server?.logger.close();
    await rm(directory, { recursive: true, force: true });
  });

  test('s3rver is pinned to the exact version the reaches are written against', () => {
    expect(manifest.dependencies[S3RVER_PACKAGE]).toBe(S3RVER_VERSION);
  });

  test.each(S3RVER_REACHES.map((reach) => [reach.name, reach] as const))('reach: %s', (_name, reach) => {
    reach.check(server);
  });

  test('a broken reach fails loudly and names itself', () => {
    // Prepare: an instance whose middleware no longer ends with s3rver's router.
    const broken = Object.create(server) as S3rverInstance;
    broken.middleware = [...server.middleware.slice(0, -1), async () => {}];

    // Act
    let error: unknown;
    try {
      checkS3rverReaches(broken);
    } catch (caught) {
      error = caught;
    }

    // Assess
    expect(error).toBeInstanceOf(S3rverReachError);
    expect((error as S3rverReachError).reach).toBe('middleware order');
    expect((error as S3rverReachError).code).toBe('S3rverIncompatible');
    expect((error as Error).message).toMatch(
      /"middleware order" broke: .*written against @20minutes\/s3rver 5\.0\.0/,
    );
  });
});

describe('s3rver reach: on-disk layout of objects and multipart uploads', { timeout: 60_000 }, () => {
  const bucket = 'media';
  let dataDir: string;
  let aws: LocalAws;
  let s3: S3Client;
  let paths: S3rverInstance;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'local-aws-layout-'));
    aws = await startLocalAws({ dataDir, buckets: [bucket] });
    s3 = new S3Client(aws.clientConfig().s3);
    // A second instance on the same directory, only to compute paths the way local-aws does.
    paths = createS3rver({ directory: join(dataDir, 's3'), silent: true, configureBuckets: [] });
  }, 30_000);

  afterAll(async () => {
    s3?.destroy();
    paths?.logger.close();
    await aws?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  test('an object is stored as object, object.md5 and metadata.json where local-aws looks', async () => {
    // Act
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'dir/a.txt', Body: 'hello', ContentType: 'text/plain' }),
    );

    // Assess
    const at = (resource: 'object' | 'object.md5' | 'metadata.json') =>
      objectResourcePath(paths.store, bucket, 'dir/a.txt', resource);
    expect(await readFile(at('object'), 'utf8')).toBe('hello');
    expect(await readFile(at('object.md5'), 'utf8')).toBe('5d41402abc4b2a76b9719d911017c592');
    expect(JSON.parse(await readFile(at('metadata.json'), 'utf8'))).toMatchObject({
      'content-type': 'text/plain',
    });
  });

  test('an upload keeps key, metadata and each part with its md5 in its directory', async () => {
    // Act
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'big.bin' }));
    if (!UploadId) throw new Error('no upload id');
    await s3.send(
      new UploadPartCommand({ Bucket: bucket, Key: 'big.bin', UploadId, PartNumber: 3, Body: 'part three' }),
    );

    // Assess
    const upload = uploadDirectoryPath(paths.store, bucket, UploadId);
    expect(await readFile(join(upload, UPLOAD_FILES.key), 'utf8')).toBe('big.bin');
    await access(join(upload, UPLOAD_FILES.metadata));
    expect(UPLOAD_FILES.isPart(UPLOAD_FILES.part(3))).toBe(true);
    expect(await readFile(join(upload, UPLOAD_FILES.part(3)), 'utf8')).toBe('part three');
    expect(await readFile(join(upload, UPLOAD_FILES.partMd5(3)), 'utf8')).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('s3rver reach: the event it emits for a created object', { timeout: 30_000 }, () => {
  test('PutObject emits `event` with Records carrying eventName, bucket, key, size and eTag', async () => {
    // Prepare: a bare s3rver (none of local-aws's layer), on a free port.
    const directory = await mkdtemp(join(tmpdir(), 'local-aws-event-'));
    const server = createS3rver({
      directory,
      silent: true,
      allowMismatchedSignatures: true,
      configureBuckets: [{ name: 'b', configs: [] }],
    });
    await server.configureBuckets();
    const http = createServer(server.callback());
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    const events: S3rverEvent[] = [];
    server.on('event', (event: S3rverEvent) => events.push(event));

    try {
      // Act
      const { port } = http.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/b/dir/k.txt`, { method: 'PUT', body: 'hello' });

      // Assess
      expect(response.status).toBe(200);
      expect(events).toHaveLength(1);
      expect(events[0]?.Records[0]).toMatchObject({
        eventName: 'ObjectCreated:Put',
        s3: { bucket: { name: 'b' }, object: { key: 'dir/k.txt', size: 5, eTag: expect.any(String) } },
      });
    } finally {
      http.closeAllConnections();
      http.close();
      server.logger.close();
      await rm(directory, { recursive: true, force: true });
    }
  });
});
