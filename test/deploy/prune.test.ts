import { access, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalAws, startLocalAws } from '../../packages/local-aws/src/index.ts';
import { makeClip, prepareDeployFolder } from './app-process.ts';
import { API_KEY, type RunningApps, startApps } from './stack-under-test.ts';
import { uploadAndWait } from './upload-flow.ts';

// The image's ffmpeg is Debian's (FFMPEG_PATH=/usr/bin/ffmpeg in apps/worker/Dockerfile); so is this machine's.
const FFMPEG = '/usr/bin/ffmpeg';
const FFPROBE = '/usr/bin/ffprobe';

describe("the images' deploy folders (what the Dockerfiles copy)", () => {
  let deployDir: string;
  let aws: LocalAws;
  let apps: RunningApps | undefined;

  beforeAll(async () => {
    deployDir = await mkdtemp(join(tmpdir(), 'deploy-folders-'));
    await Promise.all([
      prepareDeployFolder('api', join(deployDir, 'api')),
      prepareDeployFolder('worker', join(deployDir, 'worker')),
    ]);
    aws = await startLocalAws({
      queues: [{ name: 'jobs', deadLetter: { name: 'jobs-dlq', maxReceiveCount: 5 } }],
      buckets: ['media'],
      notifications: [{ bucket: 'media', queue: 'jobs', prefix: 'uploads/' }],
    });
  });

  afterAll(async () => {
    await apps?.stop();
    await aws?.stop();
    if (deployDir) await rm(deployDir, { recursive: true, force: true });
  });

  it('hold the bundle and production dependencies only: no sources, no dev tools, no npm ffmpeg', async () => {
    for (const app of ['api', 'worker']) {
      const folder = join(deployDir, app);
      // The API also serves the web page: its static files (web/) beside the bundle.
      const expected = [
        'README.md',
        'dist',
        'node_modules',
        'package.json',
        ...(app === 'api' ? ['web'] : []),
      ];
      expect((await readdir(folder)).sort()).toEqual(expected);
      const modules = await readdir(join(folder, 'node_modules'));
      for (const devOnly of [
        'vitest',
        'typescript',
        'tsdown',
        '@biomejs',
        'verdaccio',
        'execa',
        '@20minutes',
        'playwright-core',
      ]) {
        if (app === 'worker' && devOnly === 'execa') continue; // a runtime dependency of media-pipeline
        expect(modules, `${app} has ${devOnly}`).not.toContain(devOnly);
      }
      // The workspace packages are compiled into the bundle: nothing imports them at run time (their
      // TSDoc examples, kept as comments, may show such imports: only statements count).
      const bundle = await readFile(join(folder, 'dist', 'main.js'), 'utf8');
      expect(bundle).not.toMatch(/^\s*(?:import|export)\b[^\n]*from ["']@media-server\//m);
      expect(bundle).not.toMatch(/\bimport\(["']@media-server\//);
      expect(bundle).not.toMatch(/^\s*\}\s*from ["']@media-server\//m);
    }
    await expect(access(join(deployDir, 'worker', 'node_modules', '@ffmpeg-installer'))).rejects.toThrow(
      /ENOENT/,
    );
  });

  it('start in AWS mode with only production dependencies, become ready, and process an upload end to end', async () => {
    // Prepare
    apps = await startApps({
      deployDir,
      aws: { ...aws.env(), MEDIA_BUCKET: 'media', JOBS_QUEUE_URL: aws.queueUrl('jobs') },
      ffmpeg: FFMPEG,
      ffprobe: FFPROBE,
      presets: 'mp4,poster',
    });
    const clip = join(deployDir, 'clip.mp4');
    await makeClip(FFMPEG, clip);

    // Act
    const job = await uploadAndWait(apps.apiUrl, API_KEY, clip, { presets: ['mp4', 'poster'] });

    // Assess: both outputs are downloadable through the links the API hands out.
    expect(job.state, JSON.stringify(job.error)).toBe('succeeded');
    expect(job.outputs.map((output) => output.preset).sort()).toEqual(['mp4', 'poster']);
    for (const output of job.outputs) {
      const response = await fetch(output.url);
      expect(response.status).toBe(200);
      expect((await response.arrayBuffer()).byteLength).toBe(output.size);
    }
    expect(apps.worker.logs.some((line) => line.mode === 'aws')).toBe(true);
    expect(apps.api.logs.some((line) => line.mode === 'aws')).toBe(true);
    // The web page and the client's browser build it imports (node_modules/@media-server/client/dist).
    for (const path of [
      '/',
      '/web/main.js',
      '/vendor/media-server-client/index.js',
      '/vendor/media-server-client/names.js',
    ]) {
      const response = await fetch(apps.apiUrl + path);
      expect(response.status, path).toBe(200);
      expect((await response.arrayBuffer()).byteLength, path).toBeGreaterThan(100);
    }
  });
});
