import { open, stat } from 'node:fs/promises';
import type { PresetName } from '@media-server/jobs';

/** Bytes of the source's start that decide whether it can be read while it downloads. */
export const HEAD_BYTES = 1024 * 1024;
/** Bytes downloaded before a streamable source is probed (moov plus the first seconds of media). */
export const ADMIT_BYTES = 4 * 1024 * 1024;

/** A container ffmpeg can read front to back while the file grows. */
export type StreamableKind = 'mp4-moov-first' | 'mpegts';

/**
 * Whether a source can be transcoded while it downloads, from its first bytes: an MP4/MOV whose
 * `moov` comes before its `mdat` (fast start: the demuxer knows every sample's place from the start and
 * then reads forward), or MPEG-TS (188-byte packets, sync byte 0x47). Anything else (`mdat` first, whose
 * index is at the end; Matroska, whose demuxer may seek to the cues at the end) is downloaded first.
 */
export function streamableKind(head: Buffer): StreamableKind | undefined {
  if (head.length >= 3 * 188 && head[0] === 0x47 && head[188] === 0x47 && head[376] === 0x47) return 'mpegts';
  let offset = 0;
  while (offset + 8 <= head.length) {
    let size = head.readUInt32BE(offset);
    const type = head.toString('latin1', offset + 4, offset + 8);
    if (offset === 0 && type !== 'ftyp') return undefined;
    if (type === 'moov') return 'mp4-moov-first';
    if (type === 'mdat') return undefined;
    if (size === 1) {
      if (offset + 16 > head.length) return undefined;
      size = Number(head.readBigUInt64BE(offset + 8));
    }
    if (size < 8) return undefined;
    offset += size;
  }
  return undefined;
}

/**
 * Whether a run may read a streamable source while it downloads (`-follow 1` on the growing file). The
 * run that writes the HLS ladder may: the `hls` preset alone, or the combined `videoSet` run (one input,
 * read forward once). That combined run with a poster or storyboard plans them from the probed duration,
 * which only a moov-first MP4 states before it is whole (MPEG-TS: an estimate from the bytes so far), so
 * with MPEG-TS it waits for the whole file.
 */
export function readsGrowingSource(
  source: StreamableKind,
  presets: readonly PresetName[],
  writesLadder: boolean,
): boolean {
  if (!writesLadder) return false;
  if (source === 'mp4-moov-first') return true;
  return !presets.includes('poster') && !presets.includes('sprite');
}

/**
 * Waits until `file` holds at least `bytes` bytes or `done` settles (the download ended: with less).
 * Answers the first `bytes` bytes (fewer when the file is shorter).
 */
export async function waitForBytes(file: string, bytes: number, done: Promise<unknown>): Promise<Buffer> {
  let settled = false;
  void done.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  for (;;) {
    const size = await stat(file).then(
      (s) => s.size,
      () => 0,
    );
    if (size >= bytes || settled) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const handle = await open(file, 'r').catch(() => undefined);
  if (handle === undefined) return Buffer.alloc(0);
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
