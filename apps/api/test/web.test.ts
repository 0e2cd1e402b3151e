import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, readJson, startHarness } from './harness.ts';

describe('the web page routes', () => {
  let harness: Harness;
  let local: Harness;

  beforeAll(async () => {
    harness = await startHarness();
    local = await startHarness({ devKeyEnabled: true });
  });
  afterAll(async () => {
    await harness?.stop();
    await local?.stop();
  });

  it('serves the page without a key, with a strict CSP that names the S3 endpoint', async () => {
    // Act
    const response = await fetch(`${harness.baseUrl}/`);

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = response.headers.get('content-security-policy') ?? '';
    const s3 = new URL(harness.config.aws.s3.endpoint ?? '').origin;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("style-src 'self';");
    expect(csp).toContain(`connect-src 'self' ${s3}`);
    expect(csp).toContain(`media-src 'self' blob: ${s3}`);
    expect(csp).not.toContain('unsafe');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(await response.text()).toContain('<script type="module" src="/web/main.js"></script>');
  });

  it('serves the pinned vendor files with their types and a day of caching', async () => {
    for (const [path, type] of [
      ['/vendor/uppy.min.mjs', 'text/javascript; charset=utf-8'],
      ['/vendor/uppy.min.css', 'text/css; charset=utf-8'],
      ['/vendor/hls.min.mjs', 'text/javascript; charset=utf-8'],
      ['/vendor/hls.worker.js', 'text/javascript; charset=utf-8'],
      ['/vendor/media-server-client/index.js', 'text/javascript; charset=utf-8'],
      ['/vendor/media-server-client/names.js', 'text/javascript; charset=utf-8'],
      ['/vendor/media-server-client/index.js.map', 'application/json; charset=utf-8'],
      ['/web/main.js', 'text/javascript; charset=utf-8'],
      ['/web/app.css', 'text/css; charset=utf-8'],
    ] as const) {
      const response = await fetch(harness.baseUrl + path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type'), path).toBe(type);
      // The client's build has no version in its URL (rebuilt in place while developing): it revalidates.
      const pinned = path.startsWith('/vendor/') && !path.startsWith('/vendor/media-server-client/');
      expect(response.headers.get('cache-control'), path).toBe(pinned ? 'public, max-age=86400' : 'no-cache');
      expect((await response.arrayBuffer()).byteLength, path).toBeGreaterThan(100);
    }
  });

  it("serves every module the client's browser build imports, each from its fixed route", async () => {
    // Prepare: from the entry the page imports, follow the relative imports (chunks) of each module.
    const pending = ['/vendor/media-server-client/index.js'];
    const served = new Set<string>();

    // Act
    while (pending.length > 0) {
      const path = pending.pop() ?? '';
      if (served.has(path)) continue;
      const response = await fetch(harness.baseUrl + path);
      expect(response.status, path).toBe(200);
      served.add(path);
      // Doc comments (TSDoc examples show `import … from '@media-server/client'`) are not imports.
      const source = (await response.text()).replace(/\/\*[\s\S]*?\*\//g, '');
      for (const [, specifier] of source.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)) {
        pending.push(new URL(specifier ?? '', `http://page${path}`).pathname);
      }
      // Bare imports would need an import map, which the strict CSP does not allow inline.
      expect(source, path).not.toMatch(/(?:from|import)\s*\(?\s*["'][^"'./]/);
    }

    // Assess: the entry and the chunk it imports
    expect([...served].sort()).toEqual([
      '/vendor/media-server-client/index.js',
      '/vendor/media-server-client/names.js',
    ]);
  });

  it('serves nothing else: no node_modules passthrough, no files beside the page', async () => {
    for (const path of [
      '/vendor/uppy/package.json',
      '/vendor/media-server-client/index.d.ts',
      '/vendor/media-server-client/contract/index.js',
      '/vendor/media-server-client/../package.json',
      '/vendor/../package.json',
      '/web/../src/config.ts',
      '/node_modules/uppy/package.json',
      '/web/missing.js',
    ]) {
      const response = await fetch(harness.baseUrl + path);
      expect([401, 404], path).toContain(response.status);
    }
  });

  it('tells the page whether the development key works, and keeps the routes out of the OpenAPI document', async () => {
    // Act
    const withKeys = await readJson(await fetch(`${harness.baseUrl}/web/config.json`));
    const localMode = await readJson(await fetch(`${local.baseUrl}/web/config.json`));
    const document = await readJson(await fetch(`${harness.baseUrl}/openapi.json`));

    // Assess
    expect(withKeys).toEqual({ multipartThresholdBytes: harness.config.uploads.multipartThresholdBytes });
    expect(localMode).toEqual({
      devKey: 'dev-key',
      multipartThresholdBytes: local.config.uploads.multipartThresholdBytes,
    });
    const paths = Object.keys(document.paths);
    expect(
      paths.filter((path) => path === '/' || path.startsWith('/web') || path.startsWith('/vendor')),
    ).toEqual([]);
  });
});
