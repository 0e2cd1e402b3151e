import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { type LocalAws, startLocalAws } from '@media-server/local-aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../src/api-keys.ts';
import { readJson, TEST_KEY } from './harness.ts';

const apiDir = fileURLToPath(new URL('..', import.meta.url));

function startMain(env: Record<string, string>): {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
} {
  const child = spawn(process.execPath, ['--conditions=@media-server/source', 'src/main.ts'], {
    cwd: apiDir,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk) => {
    out += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    err += chunk;
  });
  return { child, stdout: () => out, stderr: () => err };
}

async function waitFor<T>(read: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = read();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('timed out');
}

describe('src/main.ts as a process', () => {
  let aws: LocalAws;
  beforeAll(async () => {
    aws = await startLocalAws({ queues: [{ name: 'media-jobs' }], buckets: ['media'] });
  });
  afterAll(async () => {
    await aws?.stop();
  });

  it('refuses a bad configuration with one clear line per value and exit code 1', async () => {
    const { child, stderr } = startMain({ PORT: 'eighty', LOG_LEVEL: 'loud', UPLOAD_URL_TTL_SECONDS: '5' });
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(stderr()).toMatch(/PORT must be an integer/);
    expect(stderr()).toMatch(/LOG_LEVEL must be one of/);
    expect(stderr()).toMatch(/UPLOAD_URL_TTL_SECONDS must be an integer from 60/);
  });

  it('serves, then shuts down cleanly on SIGTERM', async () => {
    const { child, stdout } = startMain({
      ...aws.env(),
      MEDIA_BUCKET: 'media',
      JOBS_QUEUE_URL: aws.queueUrl('media-jobs'),
      API_KEYS: `test:${hashApiKey(TEST_KEY)}`,
      PLAYBACK_SECRET: 'test-playback-secret-0123456789abcdef',
      PORT: '0',
      HOST: '127.0.0.1',
    });
    try {
      const address = await waitFor(() => {
        const line = stdout()
          .split('\n')
          .find((entry) => entry.includes('api listening'));
        return line === undefined ? undefined : (JSON.parse(line).address as string);
      }, 20_000);
      const ready = await fetch(`${address}/readyz`);
      expect(ready.status).toBe(200);
      const jobs = await fetch(`${address}/v1/jobs`, { headers: { authorization: `Bearer ${TEST_KEY}` } });
      expect(jobs.status).toBe(200);
      expect(jobs.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(await readJson(jobs)).toEqual({ items: [] });
      const requestLog = stdout()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line))
        .find((entry) => entry.req?.url === '/v1/jobs');
      expect(requestLog?.reqId).toBe(jobs.headers.get('x-request-id'));
      expect(JSON.stringify(requestLog)).not.toContain(TEST_KEY);

      // An open event stream does not hold the shutdown up: it ends, then the process exits 0.
      const upload = await readJson(
        await fetch(`${address}/v1/uploads`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify({ filename: 'a.mp4', contentType: 'video/mp4', size: 1 }),
        }),
      );
      const stream = await fetch(`${address}/v1/jobs/${upload.id}/events`, {
        headers: { authorization: `Bearer ${TEST_KEY}` },
      });
      expect(stream.status).toBe(200);
      const body = stream.text();

      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
      expect(await body).toMatch(/event: state/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
