import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply } from 'fastify';
import type { RouteFlags } from '../app.ts';
import type { ApiConfig } from '../config.ts';
import { DEV_API_KEY } from '../config.ts';
import type { AppContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import type { TypedApp } from '../typed-app.ts';

const webDir = findWebDir(dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);

/**
 * The page's folder: `apps/api/web` next to `src/` when the API runs from source, `<app>/web` next to
 * `dist/` when it runs bundled from an image's deploy folder.
 */
function findWebDir(moduleDir: string): string {
  for (const candidate of [join(moduleDir, '..', '..', 'web'), join(moduleDir, '..', 'web')]) {
    if (existsSync(join(candidate, 'index.html'))) return candidate;
  }
  throw new Error(`the web page's files (web/index.html) are not next to ${moduleDir}`);
}

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

interface StaticFile {
  /** Absolute path of the file on disk. */
  path: string;
  contentType: string;
  /** Vendor files are pinned by version, so browsers may keep them a day; the page's own files revalidate. */
  maxAgeSeconds: number;
  /** Said in the error when the file is missing (a build output that was not built). */
  missingHint?: string;
}

/** The page's own files: URL path → file under `apps/api/web`. */
const PAGE_FILES: Record<string, string> = {
  '/': 'index.html',
  '/favicon.ico': 'favicon.svg',
  '/web/favicon.svg': 'favicon.svg',
  '/web/app.css': 'app.css',
  '/web/main.js': 'main.js',
  '/web/api.js': 'api.js',
  '/web/format.js': 'format.js',
  '/web/upload.js': 'upload.js',
  '/web/job-progress.js': 'job-progress.js',
  '/web/player.js': 'player.js',
  '/web/storyboard.js': 'storyboard.js',
  '/web/jobs-list.js': 'jobs-list.js',
};

/** Exactly the vendor files the page loads, from the api app's pinned dependencies (never a node_modules passthrough). */
const VENDOR_FILES: Record<string, { module: string; file: string; contentType: string }> = {
  '/vendor/uppy.min.mjs': { module: 'uppy', file: 'dist/uppy.min.mjs', contentType: JS },
  '/vendor/uppy.min.css': { module: 'uppy', file: 'dist/uppy.min.css', contentType: CSS },
  '/vendor/hls.min.mjs': { module: 'hls.js', file: 'dist/hls.min.mjs', contentType: JS },
  '/vendor/hls.worker.js': { module: 'hls.js', file: 'dist/hls.worker.js', contentType: JS },
};

/**
 * The browser build of @media-server/client (its `dist/`, made by its `build` script), which the page
 * imports from `/vendor/media-server-client/index.js`: the entry, the chunk it imports and their source
 * maps. Chunks have fixed names (`hash: false` in the client's tsdown config).
 */
const CLIENT_URL = '/vendor/media-server-client/';
const CLIENT_FILES = ['index.js', 'index.js.map', 'names.js', 'names.js.map'];
const CLIENT_MISSING =
  "the browser build of @media-server/client is missing: run 'pnpm --filter @media-server/client build'";

function contentTypeOf(file: string): string {
  if (file.endsWith('.map')) return 'application/json; charset=utf-8';
  if (file.endsWith('.html')) return 'text/html; charset=utf-8';
  if (file.endsWith('.css')) return CSS;
  if (file.endsWith('.svg')) return 'image/svg+xml';
  return JS;
}

/** The directory of an installed package (its package.json may not export itself, so resolve the main file). */
function packageDir(name: string): string {
  const manifest = require.resolve(`${name}/package.json`, { paths: [webDir] });
  return dirname(manifest);
}

function staticFiles(): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  for (const [url, file] of Object.entries(PAGE_FILES)) {
    files.set(url, { path: join(webDir, file), contentType: contentTypeOf(file), maxAgeSeconds: 0 });
  }
  for (const [url, vendor] of Object.entries(VENDOR_FILES)) {
    files.set(url, {
      path: join(packageDir(vendor.module), vendor.file),
      contentType: vendor.contentType,
      maxAgeSeconds: 86_400,
    });
  }
  // Rebuilt in place while developing (no version in the URL), so it revalidates like the page's files.
  const clientDist = join(packageDir('@media-server/client'), 'dist');
  for (const file of CLIENT_FILES) {
    files.set(CLIENT_URL + file, {
      path: join(clientDist, file),
      contentType: contentTypeOf(file),
      maxAgeSeconds: 0,
      missingHint: CLIENT_MISSING,
    });
  }
  return files;
}

/**
 * The origins the page's media and uploads come from besides the API: where presigned S3 URLs point,
 * and `PLAYBACK_BASE_URL` (a CDN in front of the outputs) when it is set.
 */
export function mediaOrigins(config: ApiConfig): string[] {
  const endpoint = config.s3PublicEndpoint ?? config.aws.s3.endpoint;
  const { bucket, region } = config.aws;
  const origins =
    endpoint !== undefined
      ? [new URL(endpoint).origin]
      : [`https://${bucket}.s3.${region}.amazonaws.com`, `https://s3.${region}.amazonaws.com`];
  if (config.playback.baseUrl !== undefined) origins.push(new URL(config.playback.baseUrl).origin);
  return [...new Set(origins)];
}

/**
 * The page's policy: scripts and styles only from this origin (no inline code), network and media
 * from this origin and the media origins (uploads, segments, thumbnails), blob: for hls.js
 * (MediaSource, its worker) and Uppy's previews.
 */
export function pageContentSecurityPolicy(config: ApiConfig): string {
  const s3 = mediaOrigins(config).join(' ');
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self' blob: data: ${s3}`,
    `media-src 'self' blob: ${s3}`,
    `connect-src 'self' ${s3}`,
    "worker-src 'self' blob:",
    "font-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** What the page needs to know before it asks for a key; `GET /web/config.json`. */
export interface PageConfig {
  /** Local mode with no `API_KEYS`: the page uses the development key without asking. */
  devKey?: string;
  /** Files of at least this size go up as multipart uploads (`UPLOAD_MULTIPART_THRESHOLD_BYTES`). */
  multipartThresholdBytes: number;
}

/**
 * The web page at `/`: the page's own files from `apps/api/web` and the vendor files it imports,
 * each from a fixed route; `GET /web/config.json` tells the page whether the development key works.
 * None of these routes needs a key or appears in the OpenAPI document.
 */
export function registerWebRoutes(app: TypedApp, ctx: AppContext): void {
  const files = staticFiles();
  const csp = pageContentSecurityPolicy(ctx.config);
  const flags = { public: true } satisfies RouteFlags;

  const secure = (reply: FastifyReply): FastifyReply =>
    reply
      .header('content-security-policy', csp)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('cross-origin-opener-policy', 'same-origin');

  for (const [url, file] of files) {
    app.get(url, { schema: { hide: true }, config: flags }, async (_request, reply) => {
      const body = await readFile(file.path).catch((error: unknown) => {
        if (file.missingHint !== undefined && (error as NodeJS.ErrnoException).code === 'ENOENT') {
          throw new ApiError('UNAVAILABLE', file.missingHint, { cause: error });
        }
        throw error;
      });
      return secure(reply)
        .type(file.contentType)
        .header(
          'cache-control',
          file.maxAgeSeconds > 0 ? `public, max-age=${file.maxAgeSeconds}` : 'no-cache',
        )
        .send(body);
    });
  }

  app.get('/web/config.json', { schema: { hide: true }, config: flags }, async (_request, reply) => {
    const page: PageConfig = {
      ...(ctx.config.devKeyEnabled ? { devKey: DEV_API_KEY } : {}),
      multipartThresholdBytes: ctx.config.uploads.multipartThresholdBytes,
    };
    return secure(reply).header('cache-control', 'no-store').send(page);
  });
}
