import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PlannedRung, parseMediaPlaylist, resolveBinaries } from '@media-server/media-pipeline';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSegment, LiveSegmentError } from './check-segment.ts';
import type { FinishedSegment } from './segment-watcher.ts';

const RUNG: PlannedRung = {
  name: '240p',
  width: 320,
  height: 240,
  videoBitrate: 400_000,
  audioBitrate: 64_000,
  videoCodecTag: 'avc1.64000d',
};

describe('checkSegment: a listed segment is published only when it is what its playlist says', {
  timeout: 60_000,
}, () => {
  let dir: string;
  let segments: FinishedSegment[];

  beforeAll(async () => {
    // Prepare: a real fMP4 rung (2 s segments, H.264 + AAC) written by ffmpeg.
    dir = await mkdtemp(join(tmpdir(), 'check-segment-'));
    await execa(resolveBinaries().ffmpeg, [
      ...['-hide_banner', '-loglevel', 'error'],
      ...['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25:duration=5'],
      ...['-f', 'lavfi', '-i', 'sine=duration=5'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-force_key_frames', 'expr:gte(t,n_forced*2)'],
      ...['-c:a', 'aac', '-f', 'hls', '-hls_time', '2', '-hls_playlist_type', 'event'],
      ...['-hls_segment_type', 'fmp4', '-hls_fmp4_init_filename', '240p_init.mp4'],
      ...['-hls_segment_filename', join(dir, '240p_%05d.m4s'), join(dir, '240p.m3u8')],
    ]);
    const playlist = parseMediaPlaylist(await readFile(join(dir, '240p.m3u8'), 'utf8'));
    segments = playlist.segments.map((segment, index) => ({
      rung: '240p',
      index,
      uri: segment.uri,
      path: join(dir, segment.uri),
      duration: segment.duration,
      initUri: playlist.map,
      targetDuration: playlist.targetDuration,
    }));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const options = () => ({ dir, scratchDir: dir, hasAudio: true });

  it('accepts every segment ffmpeg listed', async () => {
    expect(segments.length).toBeGreaterThanOrEqual(2);
    for (const segment of segments)
      await expect(checkSegment(segment, RUNG, options())).resolves.toBeUndefined();
  });

  it('refuses a segment of another size, another duration, or a cut one', async () => {
    const [first, second] = segments as [FinishedSegment, FinishedSegment];
    await expect(checkSegment(first, { ...RUNG, width: 640, height: 480 }, options())).rejects.toThrow(
      /is 320x240, the rung is 640x480/,
    );
    await expect(checkSegment({ ...first, duration: first.duration + 2 }, RUNG, options())).rejects.toThrow(
      /lasts \d+\.\d+ s, its playlist says/,
    );
    const bytes = await readFile(second.path);
    const cut = join(dir, 'cut.m4s');
    await writeFile(cut, bytes.subarray(0, Math.floor(bytes.length / 3)));
    await expect(
      checkSegment({ ...second, uri: 'cut.m4s', path: cut }, RUNG, options()),
    ).rejects.toBeInstanceOf(LiveSegmentError);
    await writeFile(cut, '');
    await expect(checkSegment({ ...second, uri: 'cut.m4s', path: cut }, RUNG, options())).rejects.toThrow(
      /empty or missing/,
    );
  });
});
