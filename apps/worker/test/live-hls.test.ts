import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { type JobStatus, newJobId, uploadKey } from '@media-server/jobs';
import { parseMasterPlaylist, parseMediaPlaylist, resolveBinaries } from '@media-server/media-pipeline';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeClip, scratchDir, startTestAws, type TestAws, WorkerProcess, waitForStatus } from './helpers.ts';
import { startTcpProxy } from './tcp-proxy.ts';

describe('live HLS: the ladder is published while it is encoded', { timeout: 300_000 }, () => {
  let aws: TestAws;
  let worker: WorkerProcess;
  let scratch: { dir: string; cleanup: () => Promise<void> };

  beforeAll(async () => {
    aws = await startTestAws();
    scratch = await scratchDir();
    worker = await WorkerProcess.start({ ...aws.env, WORKER_CONCURRENCY: '1' });
  });
  afterAll(async () => {
    await worker?.stop();
    await aws?.stop();
    await scratch?.cleanup();
  });

  async function text(key: string): Promise<string | undefined> {
    try {
      const object = await aws.s3.send(new GetObjectCommand({ Bucket: aws.bucket, Key: key }));
      return await object.Body?.transformToString('utf8');
    } catch {
      return undefined;
    }
  }
  async function digest(key: string): Promise<string> {
    const object = await aws.s3.send(new GetObjectCommand({ Bucket: aws.bucket, Key: key }));
    return createHash('sha256')
      .update((await object.Body?.transformToByteArray()) ?? new Uint8Array())
      .digest('hex');
  }

  it('playable while processing (every rung has a segment), segments never change, VOD at the end', async () => {
    // Prepare: a 480p clip long enough that the ladder takes a while (two rungs: 480p, 360p).
    const clip = join(scratch.dir, 'long.mp4');
    await makeClip(clip, { seconds: 40, size: '854x480', rate: 25 });
    const jobId = newJobId();
    const key = uploadKey(jobId, 'long.mp4');
    await aws.store.writeSpec({
      schemaVersion: 1,
      jobId,
      createdAt: new Date().toISOString(),
      source: { key },
    });

    // Act
    await aws.s3.send(
      new PutObjectCommand({
        Bucket: aws.bucket,
        Key: key,
        Body: await readFile(clip),
        ContentType: 'video/mp4',
      }),
    );
    const playable = await waitForStatus(
      aws.store,
      jobId,
      (s) => s.playableAt !== undefined || s.state === 'succeeded' || s.state === 'failed',
      240_000,
    );

    // Assess: playable before the job ended, every rung has a checked segment behind the live master.
    expect(playable.state, JSON.stringify(playable.error)).toBe('processing');
    expect(playable.live?.masterKey).toMatch(new RegExp(`^outputs/${jobId}/hls-[a-z0-9]+/master\\.m3u8$`));
    const masterKey = playable.live?.masterKey ?? '';
    const dir = masterKey.slice(0, masterKey.lastIndexOf('/') + 1);
    const variants = parseMasterPlaylist((await text(masterKey)) ?? '');
    expect(variants.map((v) => v.uri)).toEqual(['480p.m3u8', '360p.m3u8']);
    const seen = new Map<string, string>();
    const watchSegments = async (): Promise<void> => {
      for (const variant of variants) {
        const playlist = await text(`${dir}${variant.uri}`);
        if (playlist === undefined) continue;
        const media = parseMediaPlaylist(playlist);
        for (const segment of media.segments) {
          if (!seen.has(segment.uri)) seen.set(segment.uri, await digest(`${dir}${segment.uri}`));
        }
      }
    };
    for (const variant of variants) {
      const live = (await text(`${dir}${variant.uri}`)) ?? '';
      expect(live).toContain('#EXT-X-PLAYLIST-TYPE:EVENT');
      expect(live).not.toContain('#EXT-X-ENDLIST');
      expect(parseMediaPlaylist(live).segments.length).toBeGreaterThan(0);
    }
    let last: JobStatus | undefined;
    let liveReads = 0;
    while (last?.state !== 'succeeded' && last?.state !== 'failed') {
      await watchSegments();
      const status = await aws.store.readStatus(jobId);
      // The VOD playlists are stored just before `succeeded` is written (the API hides their ENDLIST
      // until then): a job still processing with its ladder's ENDLIST stored is in its store step.
      if (status?.state === 'processing') liveReads += 1;
      last = status;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(last.state, JSON.stringify(last.error)).toBe('succeeded');
    expect(liveReads).toBeGreaterThan(0);

    // The stored ladder is the live one, now VOD; no segment seen live changed its bytes.
    const storedMaster = last.outputs.find((o) => o.kind === 'hls-master');
    expect(storedMaster?.key).toBe(masterKey);
    expect(last.live).toBeUndefined();
    expect(Date.parse(last.playableAt ?? '')).toBeLessThan(Date.parse(last.timings.finishedAt ?? ''));
    let segments = 0;
    for (const variant of variants) {
      const vod = parseMediaPlaylist((await text(`${dir}${variant.uri}`)) ?? '');
      expect(vod.ended).toBe(true);
      expect(await text(`${dir}${variant.uri}`)).toContain('#EXT-X-PLAYLIST-TYPE:VOD');
      const total = vod.segments.reduce((sum, s) => sum + s.duration, 0);
      expect(total).toBeGreaterThan(38);
      segments += vod.segments.length;
    }
    expect(seen.size).toBeGreaterThan(0);
    for (const [uri, hash] of seen) expect(await digest(`${dir}${uri}`), uri).toBe(hash);
    expect(segments).toBeGreaterThanOrEqual(seen.size);
  });

  it('transcodes a moov-first MP4 while it downloads over a slow link: playable before the download ends', async () => {
    // Prepare: a fast-start MP4 of ~10 MB, and S3 behind a 1 MB/s link for this worker only.
    const clip = join(scratch.dir, 'faststart.mp4');
    await execa(resolveBinaries().ffmpeg, [
      ...['-hide_banner', '-loglevel', 'error', '-y'],
      ...[
        '-f',
        'lavfi',
        '-i',
        'testsrc2=size=640x360:rate=25:duration=20',
        '-f',
        'lavfi',
        '-i',
        'sine=duration=20',
      ],
      ...[
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-b:v',
        '4M',
        '-c:a',
        'aac',
        '-movflags',
        '+faststart',
        clip,
      ],
    ]);
    const proxy = await startTcpProxy(aws.env.AWS_ENDPOINT_URL_S3 ?? '', { bytesPerSecond: 1024 * 1024 });
    const slow = await WorkerProcess.start({
      ...aws.env,
      AWS_ENDPOINT_URL_S3: proxy.endpoint,
      WORKER_CONCURRENCY: '1',
      WORKER_ID: 'slow-link',
    });
    await worker.stop();
    try {
      const jobId = newJobId();
      const key = uploadKey(jobId, 'faststart.mp4');
      await aws.store.writeSpec({
        schemaVersion: 1,
        jobId,
        createdAt: new Date().toISOString(),
        source: { key },
      });

      // Act
      await aws.s3.send(
        new PutObjectCommand({
          Bucket: aws.bucket,
          Key: key,
          Body: await readFile(clip),
          ContentType: 'video/mp4',
        }),
      );
      const done = await waitForStatus(
        aws.store,
        jobId,
        (s) => s.state === 'succeeded' || s.state === 'failed',
        240_000,
      );

      // Assess: the ladder was playable before the download had ended, and it is whole.
      expect(done.state, JSON.stringify(done.error)).toBe('succeeded');
      expect(slow.logs.some((line) => line.msg === 'transcoding the source while it downloads')).toBe(true);
      const started = Date.parse(done.timings.startedAt ?? '');
      const downloadEnd = started + (done.timings.downloadMs ?? 0);
      expect(done.timings.downloadMs).toBeGreaterThan(5000);
      expect(Date.parse(done.playableAt ?? '')).toBeLessThan(downloadEnd);
      const master = done.outputs.find((o) => o.kind === 'hls-master')?.key ?? '';
      const dir = master.slice(0, master.lastIndexOf('/') + 1);
      const rung = parseMediaPlaylist((await text(`${dir}360p.m3u8`)) ?? '');
      expect(rung.ended).toBe(true);
      expect(rung.segments.reduce((sum, s) => sum + s.duration, 0)).toBeGreaterThan(19);
    } finally {
      await slow.stop();
      await proxy.stop();
    }
  });
});
