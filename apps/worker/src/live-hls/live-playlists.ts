import type { PlannedRung } from '@media-server/media-pipeline';

/** One published segment of a rung. */
export interface PublishedSegment {
  uri: string;
  duration: number;
}

/**
 * A rung's media playlist as published while the ladder is encoded: `EVENT` (segments are only ever
 * appended), no `#EXT-X-ENDLIST` (the job's stored VOD playlist replaces it when the job succeeds).
 */
export function eventPlaylist(
  segments: readonly PublishedSegment[],
  options: { initUri: string | undefined; targetDuration: number },
): string {
  const lines = [
    '#EXTM3U',
    `#EXT-X-VERSION:${options.initUri === undefined ? 3 : 7}`,
    `#EXT-X-TARGETDURATION:${options.targetDuration}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    '#EXT-X-PLAYLIST-TYPE:EVENT',
    '#EXT-X-INDEPENDENT-SEGMENTS',
  ];
  if (options.initUri !== undefined) lines.push(`#EXT-X-MAP:URI="${options.initUri}"`);
  for (const segment of segments) lines.push(`#EXTINF:${segment.duration.toFixed(6)},`, segment.uri);
  return `${lines.join('\n')}\n`;
}

/**
 * The master playlist published once every rung has a segment. BANDWIDTH is the rung's nominal peak
 * (maxrate + audio): the measured one is known only at the end, when the stored master replaces this one.
 */
export function liveMasterPlaylist(
  rungs: readonly PlannedRung[],
  options: { hasAudio: boolean; fps: number | undefined; fmp4: boolean },
): string {
  const lines = ['#EXTM3U', `#EXT-X-VERSION:${options.fmp4 ? 7 : 3}`, '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const r of rungs) {
    const bandwidth = Math.ceil(r.videoBitrate * 1.07 + (options.hasAudio ? r.audioBitrate : 0));
    const codecs = options.hasAudio ? `${r.videoCodecTag},mp4a.40.2` : r.videoCodecTag;
    const fps = options.fps ? `,FRAME-RATE=${options.fps.toFixed(3)}` : '';
    lines.push(
      `#EXT-X-STREAM-INF:BANDWIDTH=${bandwidth},RESOLUTION=${r.width}x${r.height},CODECS="${codecs}"${fps}`,
      `${r.name}.m3u8`,
    );
  }
  return `${lines.join('\n')}\n`;
}
