import { execFile } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { promisify } from 'node:util';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Stack, startStack } from './stack.ts';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const clientDir = join(root, 'packages', 'client');
// TypeBox's ES modules (the client's one dependency), from the client's own node_modules.
const typeboxDir = join(realpathSync(join(clientDir, 'node_modules', 'typebox')), 'build');

interface BrowserWindow {
  runClient(baseUrl: string, apiKey: string): Promise<Record<string, unknown>>;
}

/**
 * What the page runs, as the browser gets it (a string: the test runner does not rewrite it): uploads a
 * File, reads the job, verifies a webhook signature made with Web Crypto.
 */
const PAGE_SCRIPT = `
import { createClient, verifyWebhookSignature } from '@media-server/client';

window.runClient = async (baseUrl, apiKey) => {
  const client = createClient({ baseUrl, apiKey });
  const file = new File([new Uint8Array(300 * 1024).fill(7)], 'from-browser.mp4', { type: 'video/mp4' });
  const progress = [];
  const uploaded = await client.upload(file, { onProgress: (p) => progress.push(p.loaded) });
  const job = await client.jobs.get(uploaded.id);
  const secret = 'browser-secret';
  const body = '{"ok":true}';
  const t = Math.floor(Date.now() / 1000);
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(t + '.' + body)));
  const header = 't=' + t + ',v1=' + [...mac].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  return {
    method: uploaded.method,
    parts: uploaded.partsUploaded,
    state: job.state,
    filename: job.source.filename,
    lastProgress: progress.at(-1),
    verified: await verifyWebhookSignature(secret, body, header),
    forged: await verifyWebhookSignature(secret, '{"ok":false}', header),
  };
};
`;

/** Serves the built client and TypeBox as plain files, and a page that loads them with an import map. */
async function servePage(): Promise<{ url: string; server: Server }> {
  const page = `<!doctype html><meta charset="utf-8"><title>client in a browser</title>
<script type="importmap">
{ "imports": { "typebox": "/typebox/index.mjs", "@media-server/client": "/client/index.js" } }
</script>
<script type="module">${PAGE_SCRIPT}</script>`;
  const server = createServer(async (request, response) => {
    const path = normalize(new URL(request.url ?? '/', 'http://x').pathname);
    const [base, rest] = path.startsWith('/client/')
      ? [join(clientDir, 'dist'), path.slice('/client/'.length)]
      : path.startsWith('/typebox/')
        ? [typeboxDir, path.slice('/typebox/'.length)]
        : [undefined, ''];
    if (path === '/') {
      response.writeHead(200, { 'content-type': 'text/html' }).end(page);
      return;
    }
    try {
      if (base === undefined || rest.includes('..')) throw new Error('not here');
      const body = await readFile(join(base, rest));
      const type = ['.js', '.mjs'].includes(extname(rest)) ? 'text/javascript' : 'application/octet-stream';
      response.writeHead(200, { 'content-type': type }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

describe('@media-server/client in Chromium', () => {
  let stack: Stack;
  let browser: Browser;
  let served: { url: string; server: Server };
  beforeAll(async () => {
    await run('pnpm', ['run', 'build'], { cwd: clientDir });
    stack = await startStack({ worker: false, corsOrigins: ['*'] });
    served = await servePage();
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
    served?.server.close();
    await stack?.stop();
  });

  test('the built package loads without Node, uploads a File, reads the job and verifies a webhook', async () => {
    const page = await browser.newPage();
    await page.goto(served.url);
    await page.waitForFunction(() => 'runClient' in globalThis);

    const result = await page.evaluate(
      ([baseUrl, apiKey]) => (globalThis as unknown as BrowserWindow).runClient(baseUrl, apiKey),
      [stack.baseUrl, stack.apiKey] as const,
    );

    expect(result).toEqual({
      method: 'multipart',
      parts: 5,
      state: 'queued',
      filename: 'from-browser.mp4',
      lastProgress: 300 * 1024,
      verified: true,
      forged: false,
    });
  });
});
