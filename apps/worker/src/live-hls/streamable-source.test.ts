import { describe, expect, it } from 'vitest';
import { readsGrowingSource, streamableKind } from './streamable-source.ts';

/** An ISO BMFF box: 32-bit size, type, payload. */
function box(type: string, payload = 0): Buffer {
  const b = Buffer.alloc(8 + payload);
  b.writeUInt32BE(8 + payload, 0);
  b.write(type, 4, 'latin1');
  return b;
}

describe('streamableKind: which uploads are transcoded while they download', () => {
  it('an MP4 with moov before mdat (fast start) is; one with mdat first is not', () => {
    expect(
      streamableKind(Buffer.concat([box('ftyp', 16), box('free'), box('moov', 100), box('mdat', 50)])),
    ).toBe('mp4-moov-first');
    expect(
      streamableKind(Buffer.concat([box('ftyp', 16), box('mdat', 100), box('moov', 50)])),
    ).toBeUndefined();
  });

  it('MPEG-TS (sync byte every 188 bytes) is; Matroska, text and a cut header are not', () => {
    const ts = Buffer.alloc(188 * 4);
    for (let i = 0; i < 4; i++) ts[i * 188] = 0x47;
    expect(streamableKind(ts)).toBe('mpegts');
    expect(streamableKind(Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0, 0, 0, 0, 0, 0]))).toBeUndefined();
    expect(streamableKind(Buffer.from('#EXTM3U\nhttp://example.com/x.ts\n'))).toBeUndefined();
    // The ftyp announces more bytes than the head holds: moov is not known to come first.
    expect(streamableKind(box('ftyp', 16).subarray(0, 12))).toBeUndefined();
  });
});

describe('readsGrowingSource: which run transcodes the download as it grows', () => {
  it('the run that writes the ladder, alone or combined; never another preset', () => {
    expect(readsGrowingSource('mp4-moov-first', ['hls'], true)).toBe(true);
    expect(readsGrowingSource('mp4-moov-first', ['hls', 'mp4', 'poster', 'sprite'], true)).toBe(true);
    expect(readsGrowingSource('mpegts', ['hls'], true)).toBe(true);
    expect(readsGrowingSource('mpegts', ['hls', 'mp4'], true)).toBe(true);
    expect(readsGrowingSource('mp4-moov-first', ['mp4'], false)).toBe(false);
    expect(readsGrowingSource('mpegts', ['poster'], false)).toBe(false);
  });

  it('MPEG-TS waits for the whole file when the combined run also plans a poster or storyboard', () => {
    expect(readsGrowingSource('mpegts', ['hls', 'mp4', 'poster', 'sprite'], true)).toBe(false);
    expect(readsGrowingSource('mpegts', ['hls', 'mp4', 'sprite'], true)).toBe(false);
  });
});
