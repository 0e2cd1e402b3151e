import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { AppProcess, waitForOk } from './app-process.ts';

export const API_KEY = 'deploy-test-key-0123456789';
/** `API_KEYS` as an operator writes it: `<id>:<sha256 hex of the key>`. */
export const API_KEYS = `deploy:${createHash('sha256').update(API_KEY).digest('hex')}`;

export interface RunningApps {
  api: AppProcess;
  worker: AppProcess;
  apiUrl: string;
  workerUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts the API and the worker from their deploy folders in AWS mode: the environment an ECS task gets
 * (bucket, queue URL, region, API_KEYS, WEBHOOK_SECRET, PLAYBACK_SECRET, the image's FFMPEG_PATH), plus the endpoints and
 * credentials of the S3/SQS implementation under test. Resolves when both answer `/readyz`.
 */
export async function startApps(options: {
  deployDir: string;
  aws: Record<string, string>;
  ffmpeg: string;
  ffprobe: string;
  presets: string;
}): Promise<RunningApps> {
  const common = { ...options.aws, LOG_LEVEL: 'info', WEBHOOK_SECRET: 'deploy-test-webhook-secret' };
  const api = AppProcess.start(join(options.deployDir, 'api'), {
    ...common,
    API_KEYS,
    PLAYBACK_SECRET: 'deploy-test-playback-secret-0123456789abcdef',
    HOST: '127.0.0.1',
    PORT: '0',
  });
  const worker = AppProcess.start(
    join(options.deployDir, 'worker'),
    {
      ...common,
      FFMPEG_PATH: options.ffmpeg,
      FFPROBE_PATH: options.ffprobe,
      WORKER_HTTP_HOST: '127.0.0.1',
      WORKER_HTTP_PORT: '0',
      WORKER_CONCURRENCY: '1',
      WORKER_VIDEO_PRESETS: options.presets,
      WORKER_TEMP_DIR: join(options.deployDir, 'worker-tmp'),
      RECONCILE_SCHEDULE: 'off',
    },
    ['--max-semi-space-size=1'],
  );
  const stop = async () => {
    await Promise.all([api.stop(), worker.stop()]);
  };
  try {
    const listening = await api.waitForLog((line) => line.msg === 'api listening');
    const started = await worker.waitForLog((line) => line.msg === 'worker started');
    const apiUrl = String(listening.address);
    const workerUrl = `http://127.0.0.1:${Number(started.httpPort)}`;
    await waitForOk(`${apiUrl}/readyz`);
    await waitForOk(`${workerUrl}/readyz`);
    return { api, worker, apiUrl, workerUrl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
