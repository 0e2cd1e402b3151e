import { describe, expect, test } from 'vitest';
import { parsePresets } from './presets.ts';

describe('--presets', () => {
  test('known names, trimmed and without duplicates; unknown ones refused with the list', () => {
    expect(parsePresets(undefined)).toBeUndefined();
    expect(parsePresets('mp4, hls,mp4')).toEqual(['mp4', 'hls']);
    expect(() => parsePresets('mp4,gif')).toThrow(
      'unknown preset "gif" (presets: mp4, hls, poster, sprite, image, audio)',
    );
    expect(() => parsePresets(',')).toThrow('--presets needs at least one of');
  });
});
