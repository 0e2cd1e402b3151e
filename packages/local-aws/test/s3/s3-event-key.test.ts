import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeS3EventKey, encodeS3EventKey } from '../../src/s3-event-key.ts';

describe('encodeS3EventKey', () => {
  it.each([
    ['uploads/video.mp4', 'uploads/video.mp4'],
    ['uploads/red flower.jpg', 'uploads/red+flower.jpg'],
    ['a+b.txt', 'a%2Bb.txt'],
    ['say "hi".txt', 'say+%22hi%22.txt'],
    ["it's (1).mov", 'it%27s+%281%29.mov'],
    ['été/日本.mp4', '%C3%A9t%C3%A9/%E6%97%A5%E6%9C%AC.mp4'],
    ['a=b&c?d#e:f,g;h@i$j~k%l', 'a%3Db%26c%3Fd%23e%3Af%2Cg%3Bh%40i%24j%7Ek%25l'],
    ['keep-_.*/x', 'keep-_.*/x'],
    ['emoji 🎬', 'emoji+%F0%9F%8E%AC'],
  ])('encodes %j as S3 does (%s)', (key, encoded) => {
    // Act
    const result = encodeS3EventKey(key);

    // Assess
    expect(result).toBe(encoded);
    expect(decodeS3EventKey(result)).toBe(key);
  });

  it('round-trips every string through decodeS3EventKey', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (key) => {
        expect(decodeS3EventKey(encodeS3EventKey(key))).toBe(key);
      }),
    );
  });
});
