import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import type { S3EventNotification } from '../../src/index.ts';
import { receiveJson } from '../support/queue-helpers.ts';

const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

function runCli(args: string[]): Run {
  const child = spawn(process.execPath, ['--conditions=@media-server/source', CLI, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exit = once(child, 'exit').then(([code]) => code as number | null);
  return { child, stdout: () => stdout, stderr: () => stderr, exit };
}

async function waitForOutput(run: Run, pattern: RegExp, deadlineMs = 20_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const match = run.stdout().match(pattern);
    if (match) return match;
    if (run.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`CLI did not print ${pattern}; stdout:\n${run.stdout()}\nstderr:\n${run.stderr()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('local-aws CLI', { timeout: 60_000 }, () => {
  const runs: Run[] = [];

  afterEach(async () => {
    for (const run of runs.splice(0)) {
      if (run.child.exitCode === null && run.child.signalCode === null) {
        run.child.kill('SIGKILL');
        await run.exit;
      }
    }
  });

  function start(args: string[]): Run {
    const run = runCli(args);
    runs.push(run);
    return run;
  }

  it('prints endpoints and environment, serves SDK clients, and exits 0 on SIGTERM', async () => {
    // Prepare
    const run = start([
      'start',
      '--bucket',
      'media',
      '--queue',
      'jobs,dlq=jobs-dlq,maxReceiveCount=3,visibilityTimeout=30',
      '--notify',
      'media/uploads/=jobs',
    ]);
    await waitForOutput(run, /Press Ctrl\+C to stop\./);
    const out = run.stdout();
    const sqsEndpoint = out.match(/^export AWS_ENDPOINT_URL_SQS=(\S+)$/m)?.[1] ?? '';
    const s3Endpoint = out.match(/^export AWS_ENDPOINT_URL_S3=(\S+)$/m)?.[1] ?? '';
    const queueUrl = out.match(/^export QUEUE_URL_JOBS=(\S+)$/m)?.[1] ?? '';
    const credentials = {
      accessKeyId: out.match(/^export AWS_ACCESS_KEY_ID=(\S+)$/m)?.[1] ?? '',
      secretAccessKey: out.match(/^export AWS_SECRET_ACCESS_KEY=(\S+)$/m)?.[1] ?? '',
    };
    expect(out).toMatch(/^export AWS_REGION=us-east-1$/m);
    expect(out).toMatch(/^export QUEUE_URL_JOBS_DLQ=http:\/\/127\.0\.0\.1:\d+\/\d+\/jobs-dlq$/m);
    expect(out).toContain(`  SQS  ${sqsEndpoint}`);
    const s3 = new S3Client({ endpoint: s3Endpoint, region: 'us-east-1', credentials, forcePathStyle: true });
    const sqs = new SQSClient({ endpoint: sqsEndpoint, region: 'us-east-1', credentials });

    // Act
    await s3.send(new PutObjectCommand({ Bucket: 'media', Key: 'uploads/from-cli.txt', Body: 'hi' }));
    const { body } = await receiveJson<S3EventNotification>(sqs, queueUrl);
    s3.destroy();
    sqs.destroy();
    run.child.kill('SIGTERM');

    // Assess
    expect(body.Records[0]?.s3.object.key).toBe('uploads/from-cli.txt');
    expect(await run.exit).toBe(0);
    expect(run.stdout()).toContain('local-aws stopped');
  });

  it('prints one JSON line with --json and exits 0 on SIGINT', async () => {
    // Prepare
    const run = start(['start', '--json', '--queue', 'q']);
    const [line] = await waitForOutput(run, /^\{.*\}$/m);

    // Act
    const info = JSON.parse(line) as { sqsEndpoint: string; queues: Record<string, string> };
    const response = await fetch(info.sqsEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.GetQueueUrl' },
      body: JSON.stringify({ QueueName: 'q' }),
    });
    run.child.kill('SIGINT');

    // Assess
    expect(await response.json()).toEqual({ QueueUrl: info.queues.q });
    expect(await run.exit).toBe(0);
  });

  it('exits 2 with a message for an unknown flag', async () => {
    // Act
    const run = start(['start', '--no-such-flag']);

    // Assess
    expect(await run.exit).toBe(2);
    expect(run.stderr()).toMatch(/local-aws: .*--no-such-flag/);
    expect(run.stderr()).toContain('local-aws --help');
  });

  it('exits 2 with a message when a port is taken', async () => {
    // Prepare
    const blocker = createServer();
    await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
    const port = (blocker.address() as { port: number }).port;

    try {
      // Act
      const run = start(['start', '--s3-port', String(port)]);

      // Assess
      expect(await run.exit).toBe(2);
      expect(run.stderr()).toContain(`S3 port 127.0.0.1:${port} is already in use`);
    } finally {
      await new Promise((done) => blocker.close(done));
    }
  });

  it('prints usage with --help', async () => {
    // Act
    const run = start(['--help']);

    // Assess
    expect(await run.exit).toBe(0);
    expect(run.stdout()).toContain('Usage: local-aws start [options]');
  });
});
