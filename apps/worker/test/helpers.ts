import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';
import { S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type JobStatus, JobStore } from '@media-server/jobs';
import { type LocalAws, startLocalAws } from '@media-server/local-aws';
import { resolveBinaries } from '@media-server/media-pipeline';
import { execa } from 'execa';

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/** local-aws as `pnpm dev` configures it (uploads/ prefix filter, DLQ), on loopback with free ports. */
export interface TestAws {
  aws: LocalAws;
  s3: S3Client;
  sqs: SQSClient;
  store: JobStore;
  bucket: string;
  queueUrl: string;
  dlqUrl: string;
  /** Environment for a worker process pointed at this local-aws. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startTestAws(
  options: { visibilityTimeout?: number; maxReceiveCount?: number } = {},
): Promise<TestAws> {
  const aws = await startLocalAws({
    queues: [
      {
        name: 'jobs',
        attributes: { VisibilityTimeout: String(options.visibilityTimeout ?? 30) },
        deadLetter: { name: 'jobs-dlq', maxReceiveCount: options.maxReceiveCount ?? 5 },
      },
    ],
    buckets: ['media'],
    notifications: [{ bucket: 'media', queue: 'jobs', prefix: 'uploads/' }],
  });
  const config = aws.clientConfig();
  const s3 = new S3Client(config.s3);
  const sqs = new SQSClient(config.sqs);
  const queueUrl = aws.queueUrl('jobs');
  return {
    aws,
    s3,
    sqs,
    store: new JobStore({ s3, bucket: 'media' }),
    bucket: 'media',
    queueUrl,
    dlqUrl: aws.queueUrl('jobs-dlq'),
    env: {
      ...aws.env(),
      MEDIA_BUCKET: 'media',
      JOBS_QUEUE_URL: queueUrl,
      WEBHOOK_SECRET: 'test-secret',
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    },
    async stop() {
      s3.destroy();
      sqs.destroy();
      await aws.stop();
    },
  };
}

/** A worker process (`node src/main.ts`) with its JSON log lines. */
export class WorkerProcess {
  readonly child: ChildProcess;
  readonly logs: Array<Record<string, unknown>> = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  httpPort = 0;
  #stderr = '';
  #waiters: Array<{
    test: (line: Record<string, unknown>) => boolean;
    resolve: (line: Record<string, unknown>) => void;
  }> = [];

  private constructor(child: ChildProcess) {
    this.child = child;
    let buffer = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      let newline = buffer.indexOf('\n');
      while (newline >= 0) {
        const text = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        newline = buffer.indexOf('\n');
        let line: Record<string, unknown>;
        try {
          line = JSON.parse(text) as Record<string, unknown>;
        } catch {
          line = { msg: text };
        }
        this.logs.push(line);
        this.#waiters = this.#waiters.filter((waiter) => {
          if (!waiter.test(line)) return true;
          waiter.resolve(line);
          return false;
        });
      }
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.#stderr += chunk;
    });
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  get stderr(): string {
    return this.#stderr;
  }

  static async start(
    env: Record<string, string>,
    options: { waitReady?: boolean } = {},
  ): Promise<WorkerProcess> {
    // The same flags as the package's start script.
    const child = spawn(
      process.execPath,
      ['--max-semi-space-size=1', '--conditions=@media-server/source', 'src/main.ts'],
      {
        cwd: appDir,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          LOG_LEVEL: 'info',
          WORKER_HTTP_PORT: '0',
          WORKER_HTTP_HOST: '127.0.0.1',
          RECONCILE_SCHEDULE: 'off',
          WORKER_PROGRESS_INTERVAL_MS: '500',
          // `FFMPEG_SANDBOX=off pnpm vitest run --project worker` runs the workers unsandboxed.
          ...(process.env.FFMPEG_SANDBOX ? { FFMPEG_SANDBOX: process.env.FFMPEG_SANDBOX } : {}),
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const worker = new WorkerProcess(child);
    if (options.waitReady ?? true) {
      const started = await Promise.race([
        worker.waitForLog((line) => line.msg === 'worker started'),
        worker.exited.then((exit) => {
          throw new Error(`worker exited before it started (${JSON.stringify(exit)}): ${worker.stderr}`);
        }),
      ]);
      worker.httpPort = Number(started.httpPort);
    }
    return worker;
  }

  waitForLog(
    test: (line: Record<string, unknown>) => boolean,
    timeoutMs = 60_000,
  ): Promise<Record<string, unknown>> {
    const found = this.logs.find(test);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for a log line')), timeoutMs);
      this.#waiters.push({
        test,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
    });
  }

  /** SIGTERM and wait for the exit (SIGKILL after `timeoutMs`). */
  async stop(timeoutMs = 20_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.exited;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }
}

/** Polls the job's status until `predicate` holds. */
export async function waitForStatus(
  store: JobStore,
  jobId: string,
  predicate: (status: JobStatus) => boolean,
  timeoutMs = 60_000,
): Promise<JobStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: JobStatus | undefined;
  while (Date.now() < deadline) {
    last = await store.readStatus(jobId).catch(() => undefined);
    if (last && predicate(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`job ${jobId} did not reach the expected state; last: ${JSON.stringify(last)}`);
}

export async function queueCounts(
  sqs: SQSClient,
  queueUrl: string,
): Promise<{ visible: number; inFlight: number; delayed: number }> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  const a = out.Attributes ?? {};
  return {
    visible: Number(a.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(a.ApproximateNumberOfMessagesDelayed ?? 0),
  };
}

/** A scratch directory removed by `cleanup()`. */
export async function scratchDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'worker-test-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Generates a small test clip (testsrc2 + sine) with the bundled ffmpeg. */
export async function makeClip(
  file: string,
  options: { seconds?: number; size?: string; rate?: number; audio?: boolean } = {},
): Promise<void> {
  const seconds = options.seconds ?? 1;
  const size = options.size ?? '160x120';
  const args = [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${size}:rate=${options.rate ?? 15}:duration=${seconds}`,
  ];
  if (options.audio ?? true) args.push('-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`);
  args.push('-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p');
  if (options.audio ?? true) args.push('-c:a', 'aac', '-shortest');
  args.push(file);
  await execa(resolveBinaries().ffmpeg, args);
}

/** Writes `file` from a lavfi source (a test pattern or a tone), with `args` before the output. */
async function fromLavfi(file: string, source: string, args: string[] = []): Promise<void> {
  await execa(resolveBinaries().ffmpeg, [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    source,
    ...args,
    file,
  ]);
}

/** Generates a small still image (`.png`/`.jpg`) or a sine-wave audio file (`.m4a`/`.mp3`/`.wav`). */
export async function makeStill(file: string, size = '640x480'): Promise<void> {
  await fromLavfi(file, `testsrc2=size=${size}`, ['-frames:v', '1']);
}

export async function makeAudio(file: string, seconds = 2): Promise<void> {
  await fromLavfi(file, `sine=frequency=440:duration=${seconds}`);
}

/**
 * Writes a pixel bomb: a valid 1-bit grayscale PNG of `width` × `height` whose all-zero image data
 * deflates to a few tens of kilobytes, while decoding it would need width × height × 3 bytes or more.
 */
export async function makePixelBomb(file: string, width: number, height: number): Promise<void> {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([1, 0, 0, 0, 0], 8); // bit depth 1, grayscale, deflate, no filter, no interlace
  const raw = Buffer.alloc((Math.ceil(width / 8) + 1) * height); // filter byte 0 + zero bits per row
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
  await writeFile(file, png);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
