import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { createClient, type MediaServerClient, type UploadProgress } from '@media-server/client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Stack, startStack } from './stack.ts';

const MiB = 1024 * 1024;
const run = promisify(execFile);

function deterministicBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let value = seed;
  for (let i = 0; i < length; i += 1) {
    value = (value * 1103515245 + 12345) & 0x7fffffff;
    out[i] = value & 0xff;
  }
  return out;
}

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

async function objectSha256(stack: Stack, key: string): Promise<string> {
  const object = await stack.harness.s3.send(new GetObjectCommand({ Bucket: 'media', Key: key }));
  return sha256(
    new Uint8Array(
      await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
    ),
  );
}

describe('@media-server/client uploads against the API and local-aws', () => {
  let stack: Stack;
  let client: MediaServerClient;
  let dir: string;
  beforeAll(async () => {
    stack = await startStack({ worker: false });
    client = createClient({ baseUrl: stack.baseUrl, apiKey: stack.apiKey });
    dir = await mkdtemp(join(tmpdir(), 'client-e2e-'));
  });
  afterAll(async () => {
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('a small file by path: one PUT, the object holds the bytes, the job is queued', async () => {
    const data = deterministicBytes(100 * 1024, 1);
    const path = join(dir, 'small.mp4');
    await writeFile(path, data);
    const progress: UploadProgress[] = [];

    const result = await client.upload(path, { onProgress: (p) => progress.push(p) });

    expect(result).toMatchObject({ method: 'put', partsUploaded: 1, partsSkipped: 0 });
    expect(result.job).toMatchObject({
      state: 'queued',
      source: { filename: 'small.mp4', contentType: 'video/mp4' },
    });
    expect(await objectSha256(stack, result.job.source.key)).toBe(sha256(data));
    expect(progress.at(-1)).toMatchObject({ loaded: data.length, total: data.length, etaSeconds: 0 });
  });

  test('multipart by path: parts in parallel, progress grows to the size, bytes intact', async () => {
    const data = deterministicBytes(1 * MiB + 123, 2);
    const path = join(dir, 'multi.mov');
    await writeFile(path, data);
    const loaded: number[] = [];

    const result = await client.upload(path, { concurrency: 3, onProgress: (p) => loaded.push(p.loaded) });

    expect(result.method).toBe('multipart');
    expect(result.partsUploaded).toBe(Math.ceil(data.length / (64 * 1024)));
    expect(loaded.at(-1)).toBe(data.length);
    expect([...loaded].sort((a, b) => a - b)).toEqual(loaded);
    expect(await objectSha256(stack, result.job.source.key)).toBe(sha256(data));
  });

  test('a Node stream with its size, and a Blob', async () => {
    const data = deterministicBytes(700 * 1024, 3);
    const path = join(dir, 'stream.webm');
    await writeFile(path, data);

    const fromStream = await client.upload(createReadStream(path, { highWaterMark: 10_000 }), {
      size: data.length,
      filename: 'stream.webm',
    });
    const fromBlob = await client.upload(new Blob([data], { type: 'video/webm' }), { filename: 'blob.webm' });

    expect(await objectSha256(stack, fromStream.job.source.key)).toBe(sha256(data));
    expect(await objectSha256(stack, fromBlob.job.source.key)).toBe(sha256(data));
    await expect(client.upload(Readable.from([data]))).rejects.toMatchObject({ code: 'SOURCE_SIZE_UNKNOWN' });
  });

  test('bad sources fail before anything is created', async () => {
    const before = (await client.jobs.list({ limit: 100 })).items.length;

    await expect(client.upload(join(dir, 'missing.mp4'))).rejects.toMatchObject({ code: 'SOURCE_NOT_FOUND' });
    await expect(client.upload(dir)).rejects.toMatchObject({ code: 'SOURCE_IS_DIRECTORY' });

    expect((await client.jobs.list({ limit: 100 })).items.length).toBe(before);
  });

  test('an aborted multipart upload is aborted in the storage too', async () => {
    const path = join(dir, 'abort.mp4');
    await writeFile(path, deterministicBytes(2 * MiB, 4));
    const controller = new AbortController();
    let id = '';

    const upload = client.upload(path, {
      concurrency: 1,
      signal: controller.signal,
      onStart: (started) => {
        id = started.id;
      },
      onProgress: (p) => {
        if (p.partsDone >= 2) controller.abort(new Error('stop'));
      },
    });

    await expect(upload).rejects.toThrow('stop');
    await expect(client.jobs.get(id)).rejects.toMatchObject({ status: 404 });
  });
});

/** Runs the upload child; resolves with its JSON lines when it exits. */
function uploadChild(args: string[], onLine: (line: Record<string, unknown>, child: ChildProcess) => void) {
  const child = spawn(
    process.execPath,
    // The built client, as users run it (type stripping of the source alone costs ~30 MB of memory).
    [join(import.meta.dirname, 'fixtures', 'upload-child.mjs'), ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  let buffer = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n')) {
      const text = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      onLine(JSON.parse(text) as Record<string, unknown>, child);
    }
  });
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, stderr })),
  );
}

describe('a 1 GiB upload through the client', () => {
  let stack: Stack;
  let dir: string;
  beforeAll(async () => {
    const clientDir = join(import.meta.dirname, '..', '..', 'packages', 'client');
    // Built now, so that the child runs this source's code, not an older build.
    await run('pnpm', ['run', 'build'], { cwd: clientDir });
    stack = await startStack({ worker: false, partSizes: 'config' });
    dir = await mkdtemp(join(tmpdir(), 'client-1gib-'));
  });
  afterAll(async () => {
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('streams from disk in bounded memory; after a kill halfway the resume sends only the missing parts', async () => {
    // Prepare: a sparse 1 GiB file (no disk used for it) with a few written marks, so parts differ.
    const size = 1024 * MiB;
    const path = join(dir, 'big.mp4');
    const file = await open(path, 'w');
    await file.truncate(size);
    for (let offset = 0; offset < size; offset += 64 * MiB)
      await file.write(deterministicBytes(4096, offset), 0, 4096, offset);
    await file.close();

    // Act 1: upload, killed once half the parts are in.
    let id = '';
    let partCount = 0;
    let firstPeakRss = 0;
    const first = await uploadChild([stack.baseUrl, stack.apiKey, path], (line, child) => {
      if (line.type === 'progress') firstPeakRss = Math.max(firstPeakRss, Number(line.rss));
      if (line.type === 'start') {
        id = String(line.id);
        partCount = Number(line.partCount);
      }
      if (line.type === 'progress' && Number(line.partsDone) >= partCount / 2) child.kill('SIGKILL');
    });
    const parts = await createClient({ baseUrl: stack.baseUrl, apiKey: stack.apiKey }).uploads.parts(id);

    // Act 2: resume in a new process.
    let done: Record<string, unknown> | undefined;
    const second = await uploadChild([stack.baseUrl, stack.apiKey, path, id], (line) => {
      if (line.type === 'done') done = line;
    });

    // Assess
    expect(first.signal).toBe('SIGKILL');
    expect(partCount).toBe(64);
    expect(parts.listed).toBe(true);
    const alreadyThere = parts.uploadedParts.length;
    expect(alreadyThere).toBeGreaterThanOrEqual(32);
    expect(alreadyThere).toBeLessThan(64);
    expect(second.code, second.stderr).toBe(0);
    // A part whose body had fully reached the server when the child died still lands after the
    // listing above, so the resume may find up to the first run's 4 in-flight parts more.
    const skipped = Number(done?.partsSkipped);
    expect(skipped).toBeGreaterThanOrEqual(alreadyThere);
    expect(skipped).toBeLessThanOrEqual(alreadyThere + 4);
    expect(done).toMatchObject({ id, state: 'queued', partsUploaded: 64 - skipped });
    expect(firstPeakRss).toBeGreaterThan(0);
    // Bounded: Node's own ~50 MiB plus 4 parts of 16 MiB in flight (measured 108–110 MiB), with room
    // for a late garbage collection, far from the 1 GiB an unbounded read would hold.
    expect(firstPeakRss).toBeLessThanOrEqual(160 * MiB);
    expect(Number(done?.maxRssBytes)).toBeLessThanOrEqual(160 * MiB);
    console.log(
      `1 GiB: ${skipped} parts survived the kill, the resume sent ${64 - skipped}; peak RSS ${(firstPeakRss / MiB).toFixed(0)} MiB (first), ${(Number(done?.maxRssBytes) / MiB).toFixed(0)} MiB (resume)`,
    );
    const head = await stack.harness.s3.send(
      new HeadObjectCommand({ Bucket: 'media', Key: `uploads/${id}/big.mp4` }),
    );
    expect(head.ContentLength).toBe(size);
  });
});
