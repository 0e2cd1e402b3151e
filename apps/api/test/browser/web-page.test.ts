import { mkdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeClip, scratchDir } from '../../../worker/test/helpers.ts';
import { type Harness, startHarness, TEST_KEY } from '../harness.ts';
import { type BrowserStack, startBrowserStack } from './browser-stack.ts';

// The functions given to page.evaluate and waitForFunction run in the browser; the app's types have no DOM.
// biome-ignore lint/suspicious/noExplicitAny: browser globals, checked by the assertions
declare const document: any, window: any, MutationObserver: any, getComputedStyle: any, sessionStorage: any;

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const screenshotDir = join(repoRoot, '.tmp', 'browser');

/** The machine is slow and shared: a 10 s 720p clip through the whole ladder can take minutes. */
const JOB_TIMEOUT_MS = 8 * 60_000;

interface BadResponse {
  status: number;
  method: string;
  url: string;
}

/** Watches a page: every answer of 400 or more, failed requests and console errors (CSP violations among them). */
function watch(page: Page): { bad: BadResponse[]; failed: string[]; consoleErrors: string[] } {
  const seen = { bad: [] as BadResponse[], failed: [] as string[], consoleErrors: [] as string[] };
  page.on('response', (response) => {
    if (response.status() >= 400) {
      seen.bad.push({ status: response.status(), method: response.request().method(), url: response.url() });
    }
  });
  page.on('requestfailed', (request) => {
    // A stream or a segment load the page itself cancels (hls.js switching levels, SSE closed) is not a failure.
    if (request.failure()?.errorText === 'net::ERR_ABORTED') return;
    seen.failed.push(`${request.method()} ${request.url()}: ${request.failure()?.errorText}`);
  });
  page.on('console', (message) => {
    if (message.type() === 'error') seen.consoleErrors.push(`${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => seen.consoleErrors.push(`page error: ${error.message}`));
  return seen;
}

async function shoot(page: Page, name: string, shots: string[]): Promise<void> {
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  shots.push(path);
}

async function enterKey(page: Page): Promise<void> {
  await page.locator('#key-input').fill(TEST_KEY);
  await page.locator('#key-form button[type=submit]').click();
  await page.locator('#app').waitFor({ state: 'visible' });
}

/** Adds the clip to Uppy's Dashboard (its hidden file input, as a drop or the browse button would). */
async function addFile(page: Page, file: string): Promise<void> {
  await page.locator('input.uppy-Dashboard-input[type=file]').first().setInputFiles(file);
  await page.locator('.uppy-StatusBar-actionBtn--upload').waitFor({ state: 'visible' });
}

/** Waits until the page's video plays at the source's width, then answers what it saw. */
async function waitForPlayback(
  page: Page,
  width: number,
): Promise<{ engine: string; currentTime: number; videoWidth: number }> {
  // The page reports a job it cannot open in the jobs panel: fail with that, not with a timeout.
  await page.waitForFunction(
    () => !document.getElementById('player-panel')?.hidden || !document.getElementById('page-error')?.hidden,
    undefined,
    { timeout: JOB_TIMEOUT_MS, polling: 500 },
  );
  const error = page.locator('#page-error');
  if (await error.isVisible()) throw new Error(`the page says: ${await error.textContent()}`);
  await page.locator('#play-toggle').click();
  await page.waitForFunction(
    (expected: number) => {
      const video = document.querySelector('video');
      return video !== null && video.currentTime >= 2 && video.videoWidth === expected;
    },
    width,
    { timeout: 120_000, polling: 250 },
  );
  return page.evaluate(() => {
    const video = document.querySelector('video');
    return {
      engine: video.dataset.engine ?? '',
      currentTime: video.currentTime,
      videoWidth: video.videoWidth,
    };
  });
}

/** Waits until the first job card is in `state`. */
async function waitForCardState(page: Page, state: string): Promise<void> {
  await page.waitForFunction(
    (expected: string) => document.querySelector('.job-card')?.dataset.state === expected,
    state,
    { timeout: JOB_TIMEOUT_MS, polling: 250 },
  );
}

describe('the web page in real Chromium', () => {
  let stack: BrowserStack | undefined;
  let harness: Harness;
  let browser: Browser;
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let clip: string;
  let smallClip: string;
  const shots: string[] = [];

  beforeAll(async () => {
    scratch = await scratchDir();
    clip = join(scratch.dir, 'clip.mp4');
    await makeClip(clip, { seconds: 10, size: '1280x720', rate: 25 });
    smallClip = join(scratch.dir, 'small.mp4');
    await makeClip(smallClip, { seconds: 4, size: '320x180', rate: 15 });
    await mkdir(screenshotDir, { recursive: true });
    stack = await startBrowserStack();
    ({ harness, browser } = stack);
  }, 300_000);

  afterAll(async () => {
    await stack?.stop();
    await scratch?.cleanup();
    if (shots.length > 0) console.log(`web page screenshots:\n${shots.map((s) => `  ${s}`).join('\n')}`);
  }, 60_000);

  it(
    'uploads a clip through Uppy in parts (paused and resumed), follows the job on one progress bar and plays it through hls.js, with no 4xx',
    async () => {
      // Prepare
      const context: BrowserContext = await browser.newContext({ viewport: { width: 1360, height: 900 } });
      const page = await context.newPage();
      const seen = watch(page);

      // Act: the key, then the upload
      await page.goto(`${harness.baseUrl}/`);
      await page.locator('#key-panel').waitFor({ state: 'visible' });
      await enterKey(page);
      await addFile(page, clip);
      await shoot(page, 'desktop-1-upload', shots);
      // The clip is over the harness's multipart threshold: Uppy sends it in 5 MiB parts. Slow the
      // network so the upload can be paused after the first part, then resumed.
      expect((await stat(clip)).size).toBeGreaterThan(harness.config.uploads.multipartThresholdBytes);
      const s3Requests: string[] = [];
      page.on('request', (request) => {
        if (request.url().includes('uploadId=')) s3Requests.push(`${request.method()} ${request.url()}`);
      });
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      const throttle = (uploadThroughput: number) =>
        cdp.send('Network.emulateNetworkConditions', {
          offline: false,
          latency: 0,
          downloadThroughput: -1,
          uploadThroughput,
        });
      await throttle(500_000);
      const firstPart = page.waitForResponse(
        (response) => response.request().method() === 'PUT' && /[?&]partNumber=1&/.test(response.url()),
        { timeout: 120_000 },
      );
      await page.locator('.uppy-StatusBar-actionBtn--upload').click();
      expect((await firstPart).status()).toBe(200);
      const toggle = page.locator('[data-cy="togglePauseResume"]');
      await toggle.click();
      await expect.poll(() => toggle.getAttribute('title')).toBe('Resume');
      await shoot(page, 'desktop-1b-paused', shots);
      await throttle(-1);
      await toggle.click();

      // Assess: the resumed upload asked S3 for its parts and sent part 1 only once
      const card = page.locator('.job-card').first();
      await card.waitFor({ state: 'visible', timeout: 120_000 });
      const partPuts = (n: number) =>
        s3Requests.filter((r) => r.startsWith('PUT ') && new RegExp(`[?&]partNumber=${n}&`).test(r));
      expect(partPuts(1)).toHaveLength(1);
      expect(partPuts(2).length).toBeGreaterThanOrEqual(1);
      expect(s3Requests.some((r) => r.startsWith('GET ') && !r.includes('partNumber='))).toBe(true);

      // Assess: one progress bar for the job, moving forward only
      // The progress screenshot once the bar has moved (or the job is already done).
      await page.waitForFunction(
        () => {
          const card = document.querySelector('.job-card');
          const percent = Number(card?.querySelector('.progress')?.getAttribute('aria-valuenow'));
          return (card?.dataset.state === 'processing' && percent > 0) || card?.dataset.state === 'succeeded';
        },
        undefined,
        { timeout: JOB_TIMEOUT_MS, polling: 200 },
      );
      await shoot(page, 'desktop-2-progress', shots);
      const percents: number[] = [];
      await page.exposeFunction('recordPercent', (value: number) => percents.push(value));
      await page.evaluate(() => {
        const bar = document.querySelector('.job-card .progress');
        const record = window.recordPercent;
        record(Number(bar.getAttribute('aria-valuenow')));
        new MutationObserver(() => record(Number(bar.getAttribute('aria-valuenow')))).observe(bar, {
          attributes: true,
        });
      });

      const played = await waitForPlayback(page, 1280);
      // Playback may start while the job still runs (live HLS): the rest comes when it succeeds.
      await waitForCardState(page, 'succeeded');
      const done = stack?.worker.logs.find((line) => line.msg === 'job succeeded');
      console.log(`the worker ran the job in ${done?.ms} ms`);
      expect(played.engine).toBe('hls.js');
      expect(played.currentTime).toBeGreaterThanOrEqual(2);
      expect(played.videoWidth).toBe(1280);
      expect(await card.getAttribute('data-state')).toBe('succeeded');
      expect(await card.locator('.progress').getAttribute('aria-valuenow')).toBe('100');
      expect(percents.every((value, index) => index === 0 || value >= (percents[index - 1] ?? 0))).toBe(true);

      // The probe summary, the MP4 link and a storyboard thumbnail on hover over the seek bar.
      // The page adds them when the job succeeds (it may have started playing before): give it time.
      await expect
        .poll(() => page.locator('#probe dd').first().textContent(), { timeout: 30_000 })
        .toBe('0:10');
      expect(await page.locator('#probe').textContent()).toContain('1280×720');
      await expect.poll(() => page.locator('#mp4-link a').count(), { timeout: 30_000 }).toBe(1);
      expect(await page.locator('#mp4-link a').getAttribute('href')).toMatch(/^http/);
      const seek = page.locator('#seek');
      const box = await seek.boundingBox();
      if (box === null) throw new Error('the seek bar is not laid out');
      await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
      await page.locator('#seek-preview').waitFor({ state: 'visible' });
      await expect
        .poll(() => page.locator('#seek-thumb').evaluate((thumb) => getComputedStyle(thumb).backgroundImage))
        .toMatch(/^url\("http/);
      await shoot(page, 'desktop-3-playback', shots);
      await page.mouse.move(0, 0);

      // The jobs list shows the job with its thumbnail and duration.
      const row = page.locator('.job-row').first();
      await expect.poll(() => row.getAttribute('data-state'), { timeout: 30_000 }).toBe('succeeded');
      expect(await row.locator('img.job-thumb').getAttribute('src')).toMatch(/^http/);
      expect(await row.textContent()).toContain('0:10');

      expect(seen.bad).toEqual([]);
      expect(seen.failed).toEqual([]);
      expect(seen.consoleErrors).toEqual([]);
      await context.close();
    },
    JOB_TIMEOUT_MS + 180_000,
  );

  it(
    'works on a phone-sized viewport (a single-PUT upload), and deletes a job after a confirmation',
    async () => {
      // Prepare: a phone, the job of the first test already in the list
      const context = await browser.newContext({
        viewport: { width: 390, height: 844 },
        deviceScaleFactor: 2,
        isMobile: true,
        hasTouch: true,
      });
      const page = await context.newPage();
      const seen = watch(page);
      await page.goto(`${harness.baseUrl}/`);
      await enterKey(page);
      // Under the multipart threshold: one presigned PUT.
      expect((await stat(smallClip)).size).toBeLessThan(harness.config.uploads.multipartThresholdBytes);
      await addFile(page, smallClip);
      await shoot(page, 'phone-1-upload', shots);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width).toBeLessThanOrEqual(390);

      // Act: upload on the phone, then open the job
      await page.locator('.uppy-StatusBar-actionBtn--upload').click();
      await page.locator('.job-card').first().waitFor({ state: 'visible', timeout: 60_000 });
      await page.waitForFunction(
        () => {
          const state = document.querySelector('.job-card')?.dataset.state;
          return state === 'processing' || state === 'succeeded';
        },
        undefined,
        { timeout: JOB_TIMEOUT_MS, polling: 200 },
      );
      await page.locator('.job-card').first().scrollIntoViewIfNeeded();
      await shoot(page, 'phone-2-progress', shots);
      const played = await waitForPlayback(page, 320);
      expect(played.engine).toBe('hls.js');
      await waitForCardState(page, 'succeeded');
      await page.locator('#player-panel').scrollIntoViewIfNeeded();
      await shoot(page, 'phone-3-playback', shots);

      // Act: delete the job that plays, confirming in the dialog
      const jobId = await page.locator('video').getAttribute('data-job-id');
      const row = page.locator(`.job-row[data-job-id="${jobId}"]`);
      await row.locator('.delete-button').click();
      await page.locator('#confirm-delete').waitFor({ state: 'visible' });
      await page.locator('#confirm-no').click();
      expect(await row.count()).toBe(1);
      await row.locator('.delete-button').click();
      await page.locator('#confirm-yes').click();

      // Assess
      await row.waitFor({ state: 'detached', timeout: 30_000 });
      expect((await harness.api(`/v1/jobs/${jobId}`)).status).toBe(404);
      expect(await page.locator('#player-panel').isHidden()).toBe(true);
      expect(seen.bad).toEqual([]);
      expect(seen.failed).toEqual([]);
      expect(seen.consoleErrors).toEqual([]);
      await context.close();
    },
    JOB_TIMEOUT_MS + 180_000,
  );

  it('uses the development key without asking in local mode', async () => {
    // Prepare: an API that accepts dev-key (local mode without API_KEYS)
    const local = await startHarness({ devKeyEnabled: true });
    const context = await browser.newContext({ viewport: { width: 1024, height: 768 } });
    try {
      const page = await context.newPage();
      const seen = watch(page);
      const requested: string[] = [];
      page.on('request', (request) => requested.push(new URL(request.url()).pathname));

      // Act
      await page.goto(`${local.baseUrl}/`);

      // Assess: no key form, the jobs list loaded with the development key
      await page.locator('#jobs-empty').waitFor({ state: 'visible' });
      expect(await page.locator('#key-panel').isHidden()).toBe(true);
      expect(await page.locator('#key-label').textContent()).toBe('Local mode · development key');
      expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
      // The jobs came through @media-server/client's browser build, served by the API.
      expect(requested).toContain('/vendor/media-server-client/index.js');
      expect(requested).toContain('/v1/jobs');
      expect(seen.bad).toEqual([]);
      expect(seen.consoleErrors).toEqual([]);
    } finally {
      await context.close();
      await local.stop();
    }
  });
});
