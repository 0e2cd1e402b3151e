import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { type PlannedRung, probe } from '@media-server/media-pipeline';
import type { FinishedSegment } from './segment-watcher.ts';

/** A segment that is not what its playlist says: it is never published. */
export class LiveSegmentError extends Error {
  readonly code = 'LIVE_SEGMENT_INVALID';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LiveSegmentError';
  }
}

/** Largest gap between a segment's EXTINF and its probed video duration. */
function durationTolerance(extinf: number): number {
  return Math.max(0.25, extinf * 0.1);
}

/**
 * Checks a finished segment before it is published: not empty, and (fMP4: joined to its init segment)
 * it probes as the rung's stream (H.264 at the rung's size, AAC when the ladder has audio) lasting its
 * EXTINF. `scratchDir` receives the joined file for the probe; it is removed afterwards.
 */
export async function checkSegment(
  segment: FinishedSegment,
  rung: PlannedRung,
  options: { dir: string; scratchDir: string; hasAudio: boolean; signal?: AbortSignal | undefined },
): Promise<void> {
  const name = `${segment.rung}/${segment.uri}`;
  const size = await stat(segment.path).then(
    (s) => s.size,
    () => 0,
  );
  if (size === 0) throw new LiveSegmentError(`HLS segment ${name} is listed but empty or missing`);
  // A cut segment still probes (its moof announces every sample): its boxes must fill the file exactly.
  const whole =
    segment.initUri === undefined ? size % 188 === 0 : boxesFillFile(await readFile(segment.path));
  if (!whole) throw new LiveSegmentError(`HLS segment ${name} is incomplete (its last box or packet is cut)`);
  let file = segment.path;
  if (segment.initUri !== undefined) {
    file = join(options.scratchDir, `check-${segment.rung}.mp4`);
    const out = createWriteStream(file);
    await pipeline(createReadStream(join(options.dir, segment.initUri)), out, { end: false });
    await pipeline(createReadStream(segment.path), out);
  }
  try {
    const info = await probe(file, { signal: options.signal, timeoutMs: 30_000 });
    const video = info.video;
    if (video === undefined || video.codec !== 'h264') {
      throw new LiveSegmentError(`HLS segment ${name} has no H.264 video`);
    }
    if (video.width !== rung.width || video.height !== rung.height) {
      throw new LiveSegmentError(
        `HLS segment ${name} is ${video.width}x${video.height}, the rung is ${rung.width}x${rung.height}`,
      );
    }
    if (options.hasAudio && info.audio?.codec !== 'aac') {
      throw new LiveSegmentError(`HLS segment ${name} has no AAC audio`);
    }
    const seconds = (video.durationSeconds ?? 0) - (video.startTimeSeconds ?? 0);
    if (Math.abs(seconds - segment.duration) > durationTolerance(segment.duration)) {
      throw new LiveSegmentError(
        `HLS segment ${name} lasts ${seconds.toFixed(3)} s, its playlist says ${segment.duration} s`,
      );
    }
  } catch (error) {
    if (error instanceof LiveSegmentError) throw error;
    throw new LiveSegmentError(`HLS segment ${name} does not probe: ${String(error)}`, { cause: error });
  } finally {
    if (file !== segment.path) await rm(file, { force: true });
  }
}

/** True when the ISO BMFF boxes of `bytes` (moof, mdat…) follow each other up to its last byte exactly. */
function boxesFillFile(bytes: Buffer): boolean {
  let offset = 0;
  while (offset + 8 <= bytes.length) {
    let size = bytes.readUInt32BE(offset);
    if (size === 1) {
      if (offset + 16 > bytes.length) return false;
      size = Number(bytes.readBigUInt64BE(offset + 8));
    }
    if (size < 8) return false;
    offset += size;
  }
  return offset === bytes.length;
}
