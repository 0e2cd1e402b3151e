import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { QueueConsumer } from '../src/index.ts';
import { sendAll, startTestAws, waitFor } from './helpers.ts';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

test('kill -9 of a consumer process mid-job: another consumer processes the message after its timeout, nothing lost', async () => {
  // Prepare
  const aws = await startTestAws([{ name: 'jobs', attributes: { VisibilityTimeout: '2' } }]);
  const url = aws.url('jobs');
  const ids = await sendAll(aws.sqs, url, ['one', 'two', 'three']);
  const child = spawn(
    process.execPath,
    ['--conditions=@media-server/source', 'test/fixtures/consumer-child.ts'],
    {
      cwd: packageDir,
      env: { ...process.env, ...aws.env(), QUEUE_URL: url },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once('exit', (_code, signal) => resolve(signal)),
  );
  const processed = new Map<string, number>();
  const survivor = new QueueConsumer({
    sqs: aws.sqs,
    queueUrl: url,
    concurrency: 3,
    handler: (message) => {
      processed.set(message.MessageId ?? '', (processed.get(message.MessageId ?? '') ?? 0) + 1);
    },
  });
  try {
    const started = await waitFor(
      () => /started job (\S+)/.exec(stdout)?.[1],
      30_000,
      `child job start ${stderr}`,
    );
    // Act
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    await survivor.start();
    // Assess: every message is processed, including the one the child died holding.
    await waitFor(() => ids.every((id) => processed.has(id)), 30_000, 'all messages');
    expect(ids).toContain(started);
    expect([...processed.keys()].sort()).toEqual([...ids].sort());
  } finally {
    child.kill('SIGKILL');
    await survivor.stop({ graceMs: 1000 });
    await aws.stop();
  }
});
