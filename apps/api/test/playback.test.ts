import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { type JobOutput, type JobStatus, JobStore, newJobId, outputsPrefix } from '@media-server/jobs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signPlaybackToken } from '../src/playback/playback-token.ts';
import { type Harness, type Loose, readJson, startHarness } from './harness.ts';

const run = promisify(execFile);

/** The lines of a playlist that are URIs, and every URI="…" attribute. */
function urisIn(playlist: string): string[] {
  const uris: string[] = [];
  for (const line of playlist.split('\n').map((l) => l.trim())) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      for (const match of line.matchAll(/URI="([^"]*)"/g)) if (match[1] !== undefined) uris.push(match[1]);
    } else {
      uris.push(line);
    }
  }
  return uris;
}

/** GET with the path sent exactly as given (fetch would normalise `..`). */
function rawGet(baseUrl: string, path: string): Promise<{ status: number; body: string; type: string }> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body, type: String(res.headers['content-type']) }),
      );
    });
    req.on('error', reject).end();
  });
}

describe('playback: signed URLs to a private bucket (local-aws checks signatures)', {
  timeout: 120_000,
}, () => {
  let h: Harness;
  let store: JobStore;
  let scratch: string;
  const jobId = newJobId();
  const otherJobId = newJobId();
  const outputs: JobOutput[] = [];

  async function upload(key: string, body: Buffer | string, contentType: string): Promise<number> {
    await h.s3.send(
      new PutObjectCommand({ Bucket: 'media', Key: key, Body: body, ContentType: contentType }),
    );
    return Buffer.byteLength(body);
  }

  async function writeStatus(id: string, state: JobStatus['state'], files: JobOutput[]): Promise<void> {
    // The job belongs to the test key, as if it had created it (a key sees only its own jobs).
    if ((await store.readSpec(id)) === undefined) {
      await store.writeSpec({
        schemaVersion: 1,
        jobId: id,
        createdAt: new Date().toISOString(),
        source: { key: `uploads/${id}/clip.mp4` },
        owner: 'test',
      });
    }
    await store.updateStatus(id, (current) => ({
      schemaVersion: 1,
      jobId: id,
      state,
      source: { bucket: 'media', key: `uploads/${id}/clip.mp4` },
      attempts: 1,
      outputs: files,
      timings: {},
      createdAt: current?.createdAt ?? new Date().toISOString(),
      updatedAt: new Date().toISOString(),
    }));
  }

  beforeAll(async () => {
    h = await startHarness();
    store = new JobStore({ s3: h.s3, bucket: 'media' });
    scratch = await mkdtemp(join(tmpdir(), 'api-playback-'));
    // Prepare: an fMP4 HLS rung laid out as the worker writes it (outputs/<job>/hls/…), an MP4, a
    // storyboard (VTT naming two sheets) and a poster, all real files made by FFmpeg.
    const hlsDir = join(scratch, 'hls');
    await mkdir(hlsDir);
    const lavfi = ['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25:duration=3'];
    await run('ffmpeg', [
      '-v',
      'error',
      ...lavfi,
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-force_key_frames',
      'expr:gte(t,n_forced*1)',
      '-f',
      'hls',
      '-hls_time',
      '1',
      '-hls_playlist_type',
      'vod',
      '-hls_segment_type',
      'fmp4',
      '-hls_fmp4_init_filename',
      '240p_init.mp4',
      '-hls_segment_filename',
      join(hlsDir, '240p_%05d.m4s'),
      join(hlsDir, '240p.m3u8'),
    ]);
    // The master playlist as the worker's hls-ladder preset writes it.
    await writeFile(
      join(hlsDir, 'master.m3u8'),
      '#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n' +
        '#EXT-X-STREAM-INF:BANDWIDTH=400000,RESOLUTION=320x240,CODECS="avc1.64000d"\n240p.m3u8\n',
    );
    await run('ffmpeg', [
      '-v',
      'error',
      ...lavfi,
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      join(scratch, 'video.mp4'),
    ]);
    await run('ffmpeg', ['-v', 'error', ...lavfi, '-frames:v', '1', join(scratch, 'sheet.jpg')]);
    const prefix = outputsPrefix(jobId);
    for (const name of await readdir(hlsDir)) {
      const type = name.endsWith('.m3u8')
        ? 'application/vnd.apple.mpegurl'
        : name.endsWith('.m4s')
          ? 'video/iso.segment'
          : 'video/mp4';
      const size = await upload(`${prefix}hls/${name}`, await readFile(join(hlsDir, name)), type);
      if (name === 'master.m3u8')
        outputs.push({
          preset: 'hls',
          kind: 'hls-master',
          key: `${prefix}hls/${name}`,
          contentType: type,
          size,
        });
    }
    const mp4 = await upload(
      `${prefix}mp4/video.mp4`,
      await readFile(join(scratch, 'video.mp4')),
      'video/mp4',
    );
    outputs.push({
      preset: 'mp4',
      kind: 'mp4',
      key: `${prefix}mp4/video.mp4`,
      contentType: 'video/mp4',
      size: mp4,
    });
    const sheet = await readFile(join(scratch, 'sheet.jpg'));
    await upload(`${prefix}sprite/sprite-0.jpg`, sheet, 'image/jpeg');
    await upload(`${prefix}sprite/sprite-1.jpg`, sheet, 'image/jpeg');
    const vtt = [
      'WEBVTT',
      '',
      '00:00:00.000 --> 00:00:01.000',
      'sprite-0.jpg#xywh=0,0,160,120',
      '',
      '00:00:01.000 --> 00:00:02.000',
      'sprite-0.jpg#xywh=160,0,160,120',
      '',
      '00:00:02.000 --> 00:00:03.000',
      'sprite-1.jpg#xywh=0,0,160,120',
      '',
    ].join('\n');
    const vttSize = await upload(`${prefix}sprite/sprite.vtt`, vtt, 'text/vtt');
    outputs.push({
      preset: 'sprite',
      kind: 'vtt',
      key: `${prefix}sprite/sprite.vtt`,
      contentType: 'text/vtt',
      size: vttSize,
    });
    const posterSize = await upload(`${prefix}poster/poster.jpg`, sheet, 'image/jpeg');
    outputs.push({
      preset: 'poster',
      kind: 'poster',
      key: `${prefix}poster/poster.jpg`,
      contentType: 'image/jpeg',
      size: posterSize,
    });
    await writeStatus(jobId, 'succeeded', outputs);
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('the raw relative URIs of the worker output are refused by the private bucket', async () => {
    // The problem playback solves: only a presigned URL gets through.
    const response = await fetch(`${h.aws.s3Endpoint}/media/${outputsPrefix(jobId)}hls/240p.m3u8`);
    expect(response.status).toBe(403);
  });

  it('every URL it hands out answers 200: master → variant → init → segment, storyboard → images, mp4, poster', async () => {
    // Act
    const response = await h.api(`/v1/jobs/${jobId}/playback`);
    const playback: Loose = await readJson(response);

    // Assess
    expect(response.status).toBe(200);
    expect(Date.parse(playback.expiresAt) - Date.now()).toBeGreaterThan(3000_000);
    const master = await fetch(playback.hls);
    expect(master.status).toBe(200);
    expect(master.headers.get('content-type')).toMatch(/^application\/vnd\.apple\.mpegurl/);
    expect(master.headers.get('access-control-allow-origin')).toBe('*');
    const maxAge = Number(master.headers.get('cache-control')?.match(/max-age=(\d+)/)?.[1]);
    expect(maxAge).toBeGreaterThan(0);
    expect(maxAge).toBeLessThanOrEqual((Date.parse(playback.expiresAt) - Date.now()) / 1000 + 1);
    const masterText = await master.text();
    const variants = urisIn(masterText);
    expect(variants).toHaveLength(1);
    expect(variants[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/play\/[^/]+\/hls\/240p\.m3u8$/);

    const variant = await fetch(variants[0] ?? '');
    expect(variant.status).toBe(200);
    const variantText = await variant.text();
    const media = urisIn(variantText);
    expect(media.length).toBeGreaterThanOrEqual(3); // init + segments
    for (const uri of media) expect(uri, 'no relative URI is left').toMatch(/^http:\/\//);
    expect(variantText).toMatch(/#EXT-X-MAP:URI="http:\/\/[^"]+240p_init\.mp4\?[^"]*X-Amz-Signature=/);
    for (const uri of media) {
      const got = await fetch(uri);
      expect(got.status, uri).toBe(200);
      expect((await got.arrayBuffer()).byteLength).toBeGreaterThan(0);
    }

    const vtt = await fetch(playback.storyboard.vtt);
    expect(vtt.status).toBe(200);
    expect(vtt.headers.get('content-type')).toMatch(/^text\/vtt/);
    const vttText = await vtt.text();
    const cues = vttText.split('\n').filter((line) => line.includes('#xywh='));
    expect(cues).toHaveLength(3);
    expect(cues[1]).toMatch(/^http:\/\/.+sprite-0\.jpg\?.*#xywh=160,0,160,120$/);
    expect(playback.storyboard.images).toHaveLength(2);
    for (const image of [...playback.storyboard.images, ...cues.map((cue) => cue.replace(/#.*/, ''))]) {
      const got = await fetch(image);
      expect(got.status, image).toBe(200);
      expect(got.headers.get('content-type')).toBe('image/jpeg');
    }
    for (const url of [playback.mp4, playback.poster]) expect((await fetch(url)).status).toBe(200);
  });

  it('a tampered token answers 403 problem+json', async () => {
    const { hls } = await readJson(await h.api(`/v1/jobs/${jobId}/playback`));
    const token = String(hls).split('/play/')[1]?.split('/')[0] ?? '';
    const flipped = `${token.slice(0, 3)}${token[3] === 'A' ? 'B' : 'A'}${token.slice(4)}`;

    const response = await fetch(String(hls).replace(token, flipped));

    expect(response.status).toBe(403);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await readJson(response)).code).toBe('PLAYBACK_TOKEN_INVALID');
  });

  it('a token signed with another secret, or expired, answers 403', async () => {
    const expired = signPlaybackToken(
      { jobId, expiresAt: Math.floor(Date.now() / 1000) - 1 },
      h.config.playback.secret,
    );
    const foreign = signPlaybackToken(
      { jobId, expiresAt: Math.floor(Date.now() / 1000) + 600 },
      'another-secret-of-at-least-32-characters',
    );

    const expiredResponse = await fetch(`${h.baseUrl}/play/${expired}/hls/master.m3u8`);
    const foreignResponse = await fetch(`${h.baseUrl}/play/${foreign}/hls/master.m3u8`);

    expect(expiredResponse.status).toBe(403);
    expect((await readJson(expiredResponse)).code).toBe('PLAYBACK_TOKEN_EXPIRED');
    expect(foreignResponse.status).toBe(403);
    expect((await readJson(foreignResponse)).code).toBe('PLAYBACK_TOKEN_INVALID');
  });

  it('a token reaches nothing outside outputs/<its job>/: .. paths, other files, another job', async () => {
    // Prepare: another job's playlist exists; the token is for `jobId`.
    await upload(`${outputsPrefix(otherJobId)}hls/master.m3u8`, '#EXTM3U\n', 'application/vnd.apple.mpegurl');
    const token = signPlaybackToken(
      { jobId, expiresAt: Math.floor(Date.now() / 1000) + 600 },
      h.config.playback.secret,
    );
    const paths = [
      `/play/${token}/../${otherJobId}/hls/master.m3u8`,
      `/play/${token}/%2e%2e/${otherJobId}/hls/master.m3u8`,
      `/play/${token}/..%2f..%2f${otherJobId}%2fhls/master.m3u8`,
      `/play/${token}/hls/..%2f..%2f${otherJobId}%2fhls%2fmaster.m3u8`,
      `/play/${token}/hls/240p_00000.m4s`,
      `/play/${token}/${otherJobId}/master.m3u8`,
    ];

    // Act
    const responses = await Promise.all(paths.map((path) => rawGet(h.baseUrl, path)));

    // Assess: refused (validation, not found under the job, or not the job's current ladder: 410),
    // never the other job's playlist.
    for (const [index, response] of responses.entries()) {
      expect([400, 403, 404, 410], paths[index]).toContain(response.status);
      expect(response.type, paths[index]).toMatch(/^application\/problem\+json/);
    }
  });

  it('refuses a playlist whose URIs resolve outside the job (and signs none of them)', async () => {
    // Prepare: a hostile playlist in the job's outputs.
    const prefix = outputsPrefix(jobId);
    await upload(
      `${prefix}hls/evil.m3u8`,
      `#EXTM3U\n#EXT-X-MAP:URI="../../${otherJobId}/hls/240p_init.mp4"\n#EXTINF:1,\n240p_00000.m4s\n`,
      'application/vnd.apple.mpegurl',
    );
    await upload(
      `${prefix}hls/root.m3u8`,
      '#EXTM3U\n#EXTINF:1,\n/media/jobs/x/status.json\n',
      'application/vnd.apple.mpegurl',
    );
    const token = signPlaybackToken(
      { jobId, expiresAt: Math.floor(Date.now() / 1000) + 600 },
      h.config.playback.secret,
    );

    const evil = await fetch(`${h.baseUrl}/play/${token}/hls/evil.m3u8`);
    const root = await fetch(`${h.baseUrl}/play/${token}/hls/root.m3u8`);

    expect(evil.status).toBe(403);
    expect((await readJson(evil)).code).toBe('PLAYBACK_KEY_OUTSIDE_JOB');
    expect(root.status).toBe(403);
  });

  it('GET /v1/jobs/{id}/playback: 409 while processing, 404 for an unknown job, 401 without a key', async () => {
    const processing = newJobId();
    await writeStatus(processing, 'processing', []);

    const conflict = await h.api(`/v1/jobs/${processing}/playback`);
    const unknown = await h.api(`/v1/jobs/${newJobId()}/playback`);
    const anonymous = await fetch(`${h.baseUrl}/v1/jobs/${jobId}/playback`);

    expect(conflict.status).toBe(409);
    expect(conflict.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(unknown.status).toBe(404);
    expect(anonymous.status).toBe(401);
  });

  it('the /play route and the playback route are in the OpenAPI document, /play without security', async () => {
    const document: Loose = await readJson(await fetch(`${h.baseUrl}/openapi.json`));

    expect(document.paths['/v1/jobs/{id}/playback']?.get?.operationId).toBe('getJobPlayback');
    const play = document.paths['/play/{token}/{dir}/{file}']?.get;
    expect(play?.security).toEqual([]);
    expect(Object.keys(play?.responses?.['200']?.content ?? {})).toContain('application/vnd.apple.mpegurl');
  });
});

describe('playback with PLAYBACK_BASE_URL (a CDN in front of outputs/)', { timeout: 120_000 }, () => {
  let h: Harness;
  const jobId = newJobId();

  beforeAll(async () => {
    h = await startHarness();
    h.config.playback.baseUrl = 'https://cdn.example.com/outputs';
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('playlists name CDN URLs, not presigned ones; playlists still go through /play', async () => {
    // Prepare
    const prefix = outputsPrefix(jobId);
    const put = (key: string, body: string) =>
      h.s3.send(new PutObjectCommand({ Bucket: 'media', Key: `${prefix}${key}`, Body: body }));
    await put('hls/master.m3u8', '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000\n240p.m3u8\n');
    await put(
      'hls/240p.m3u8',
      '#EXTM3U\n#EXT-X-MAP:URI="240p_init.mp4"\n#EXTINF:1,\n240p_00000.m4s\n#EXT-X-ENDLIST\n',
    );
    const store = new JobStore({ s3: h.s3, bucket: 'media' });
    await store.writeSpec({
      schemaVersion: 1,
      jobId,
      createdAt: new Date().toISOString(),
      source: { key: `uploads/${jobId}/a.mp4` },
      owner: 'test',
    });
    await store.updateStatus(jobId, () => ({
      schemaVersion: 1,
      jobId,
      state: 'succeeded',
      source: { bucket: 'media', key: `uploads/${jobId}/a.mp4` },
      attempts: 1,
      outputs: [
        {
          preset: 'hls',
          kind: 'hls-master',
          key: `${prefix}hls/master.m3u8`,
          contentType: 'application/vnd.apple.mpegurl',
          size: 1,
        },
      ],
      timings: {},
      createdAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
    }));

    // Act
    const playback: Loose = await readJson(await h.api(`/v1/jobs/${jobId}/playback`));
    const master = await (await fetch(playback.hls)).text();
    const variant = await (await fetch(urisIn(master)[0] ?? '')).text();

    // Assess
    expect(urisIn(variant)).toEqual([
      `https://cdn.example.com/outputs/${jobId}/hls/240p_init.mp4`,
      `https://cdn.example.com/outputs/${jobId}/hls/240p_00000.m4s`,
    ]);
    expect(playback.mp4).toBeNull();
    expect(playback.storyboard).toBeNull();
  });
});
