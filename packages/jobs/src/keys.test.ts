import { describe, expect, test } from 'vitest';
import { newJobId } from './job-id.ts';
import { jobIdFromUploadKey, safeFileName, uploadKey } from './keys.ts';

describe('key layout', () => {
  test('an upload key carries its job id back', () => {
    const jobId = newJobId();

    const key = uploadKey(jobId, "my clip's.mp4");

    expect(key).toBe(`uploads/${jobId}/my clip's.mp4`);
    expect(jobIdFromUploadKey(key)).toBe(jobId);
  });

  test('other keys carry no job id', () => {
    const jobId = newJobId();
    expect(jobIdFromUploadKey(`outputs/${jobId}/mp4/video.mp4`)).toBeUndefined();
    expect(jobIdFromUploadKey('uploads/not-an-id/file.mp4')).toBeUndefined();
    expect(jobIdFromUploadKey(`uploads/${jobId}/nested/file.mp4`)).toBeUndefined();
    expect(jobIdFromUploadKey(`uploads/${jobId}/`)).toBeUndefined();
  });

  test('file names lose separators, control characters and leading dots, keep unicode', () => {
    expect(safeFileName('../../etc/passwd')).toBe('_.._etc_passwd');
    expect(safeFileName('a\u0000b\nc.mp4')).toBe('abc.mp4');
    expect(safeFileName('...')).toBe('file');
    expect(safeFileName('비디오 클립.mov')).toBe('비디오 클립.mov');
  });

  test('long names are cut to 200 bytes and keep their extension', () => {
    const name = safeFileName(`${'é'.repeat(300)}.webm`);

    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(200);
    expect(name.endsWith('.webm')).toBe(true);
  });
});
