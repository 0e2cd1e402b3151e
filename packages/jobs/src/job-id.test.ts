import { describe, expect, test } from 'vitest';
import { deriveJobId, isJobId, newJobId } from './job-id.ts';

describe('job ids', () => {
  test('new ids are valid, unique and sort by creation time', () => {
    const earlier = newJobId(Date.UTC(2026, 0, 1));
    const later = newJobId(Date.UTC(2026, 0, 2));
    const many = new Set(Array.from({ length: 1000 }, () => newJobId()));

    expect(isJobId(earlier)).toBe(true);
    expect(earlier < later).toBe(true);
    expect(many.size).toBe(1000);
  });

  test('derived ids are stable per bucket/key/etag and differ when any changes', () => {
    const id = deriveJobId('media', 'incoming/a clip.mp4', '"abc"');

    expect(isJobId(id)).toBe(true);
    expect(id.startsWith('h')).toBe(true);
    expect(deriveJobId('media', 'incoming/a clip.mp4', 'abc')).toBe(id);
    expect(deriveJobId('media', 'incoming/a clip.mp4', 'abd')).not.toBe(id);
    expect(deriveJobId('other', 'incoming/a clip.mp4', 'abc')).not.toBe(id);
  });

  test('rejects malformed ids', () => {
    expect(isJobId('../../etc')).toBe(false);
    expect(isJobId('ABCDEFGHJKMNPQRSTVWXYZ0123')).toBe(false);
    expect(isJobId('')).toBe(false);
  });
});
