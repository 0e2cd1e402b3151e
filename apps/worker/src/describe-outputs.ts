import { readFile, stat } from 'node:fs/promises';
import type { JobOutput, PresetName } from '@media-server/jobs';
import { type OutputFile, type ProbeResult, probe } from '@media-server/media-pipeline';

/** Every output file kind that is media (probed before it is stored). */
const PROBED_KINDS = new Set(['mp4', 'hls-init', 'poster', 'sprite', 'image', 'audio']);

/**
 * Checks one output before it is stored and says what the status lists for it: undefined for HLS segments
 * (listed through their playlists). Throws when the file is empty, a playlist is not one, or media does not
 * probe: such a file is never published.
 */
export async function describeOutput(
  file: OutputFile & { preset: PresetName },
  key: string,
  signal: AbortSignal,
): Promise<JobOutput | undefined> {
  const { size } = await stat(file.path);
  if (size === 0) throw new Error(`output ${key} is empty`);
  const base: JobOutput = { preset: file.preset, kind: file.kind, key, contentType: file.contentType, size };
  if (file.kind === 'hls-segment') return undefined;
  if (file.kind === 'hls-master' || file.kind === 'hls-playlist') {
    const text = await readFile(file.path, 'utf8');
    if (!text.startsWith('#EXTM3U')) throw new Error(`output ${key} is not an HLS playlist`);
    return base;
  }
  if (!PROBED_KINDS.has(file.kind)) return base;
  const info = await probe(file.path, { signal });
  const video = info.video;
  if (info.streams.length === 0) throw new Error(`output ${key} has no streams`);
  return {
    ...base,
    ...(video ? { width: video.displayWidth, height: video.displayHeight } : {}),
    ...(file.kind === 'mp4' || file.kind === 'audio'
      ? info.durationSeconds === undefined
        ? {}
        : { durationSeconds: round(info.durationSeconds) }
      : {}),
  };
}

/** The source's probe as the status shows it. */
export function summariseProbe(info: ProbeResult, kind: string): Record<string, unknown> {
  return {
    kind,
    format: info.format.names.join(','),
    durationSeconds: info.durationSeconds,
    sizeBytes: info.format.sizeBytes,
    bitRate: info.format.bitRate,
    ...(info.video
      ? {
          video: {
            codec: info.video.codec,
            width: info.video.displayWidth,
            height: info.video.displayHeight,
            fps: info.video.fps,
            rotation: info.video.rotation,
          },
        }
      : {}),
    ...(info.audio
      ? {
          audio: {
            codec: info.audio.codec,
            channels: info.audio.channels,
            sampleRate: info.audio.sampleRate,
          },
        }
      : {}),
  };
}

/** Two decimals. */
export function round(value: number): number {
  return Math.round(value * 100) / 100;
}
