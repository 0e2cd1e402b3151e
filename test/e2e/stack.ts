import { type Harness, startHarness, TEST_KEY } from '../../apps/api/test/harness.ts';
import { makeClip, WorkerProcess } from '../../apps/worker/test/helpers.ts';

export { makeClip };

/** The running system on loopback: local-aws, the API (in this process) and, if asked, a worker process. */
export interface Stack {
  baseUrl: string;
  apiKey: string;
  harness: Harness;
  /** Environment for the `media-server` command pointed at this stack. */
  cliEnv: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Starts the stack. `partSizes: 'config'` keeps the configured 16 MiB parts (multipart from 100 MiB);
 * the default `small` makes multipart start at 256 KiB with 64 KiB parts.
 */
export async function startStack(
  options: { worker?: boolean; partSizes?: 'small' | 'config'; corsOrigins?: string[] } = {},
): Promise<Stack> {
  const harness = await startHarness(
    options.corsOrigins === undefined ? {} : { corsOrigins: options.corsOrigins },
    { partSizes: options.partSizes ?? 'small' },
  );
  let worker: WorkerProcess | undefined;
  try {
    if (options.worker ?? true) {
      worker = await WorkerProcess.start({
        ...harness.aws.env(),
        MEDIA_BUCKET: 'media',
        JOBS_QUEUE_URL: harness.queueUrl,
        WORKER_CONCURRENCY: '1',
        WEBHOOK_SECRET: 'e2e-secret',
      });
    }
  } catch (error) {
    await harness.stop();
    throw error;
  }
  return {
    baseUrl: harness.baseUrl,
    apiKey: TEST_KEY,
    harness,
    cliEnv: { MEDIA_SERVER_URL: harness.baseUrl, MEDIA_SERVER_API_KEY: TEST_KEY },
    async stop() {
      await worker?.stop();
      await harness.stop();
    },
  };
}
