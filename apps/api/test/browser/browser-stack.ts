import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { WorkerProcess } from '../../../worker/test/helpers.ts';
import { type Harness, startHarness } from '../harness.ts';

/** Debian's chromium package, driven by playwright-core (Playwright's own browser download is not used). */
export const CHROMIUM = '/usr/bin/chromium';

/** What a browser test runs against; `stop()` ends all of it. */
export interface BrowserStack {
  harness: Harness;
  worker: WorkerProcess;
  browser: Browser;
  stop(): Promise<void>;
}

/**
 * Starts local-aws (signature checks on) and the API (the test harness), a real worker process on the same
 * queue and bucket, and headless Chromium.
 */
export async function startBrowserStack(): Promise<BrowserStack> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium); ` +
        "the browser tests drive it with playwright-core, Playwright's own browser download is not used",
    );
  }
  const harness = await startHarness();
  let worker: WorkerProcess | undefined;
  try {
    worker = await WorkerProcess.start({
      ...harness.aws.env(),
      MEDIA_BUCKET: 'media',
      JOBS_QUEUE_URL: harness.queueUrl,
      WEBHOOK_SECRET: 'test-secret',
    });
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      // Root in a container has no user namespaces for Chromium's own sandbox.
      args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required'],
    });
    const started = worker;
    return {
      harness,
      worker: started,
      browser,
      async stop() {
        await browser.close();
        await started.stop();
        await harness.stop();
      },
    };
  } catch (error) {
    await worker?.stop();
    await harness.stop();
    throw error;
  }
}
