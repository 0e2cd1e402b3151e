import { describe, expect, it } from 'vitest';
import { DownloadPace } from './download-pace.ts';

describe('DownloadPace', () => {
  it('does not wait before a limit is set or after a release', async () => {
    const pace = new DownloadPace();
    await pace.wait(1e12);
    pace.limit(0, 1e9, 1);
    pace.release();
    expect(pace.bytesPerSecond).toBeUndefined();
    await pace.wait(1e12);
    pace.limit(0, 1e9, 1);
    expect(pace.bytesPerSecond).toBeUndefined(); // a release is for good
  });

  it('caps at 4 × the source bitrate, never under 8 MiB/s', () => {
    const fast = new DownloadPace();
    fast.limit(0, 600e6, 10);
    expect(fast.bytesPerSecond).toBe(240e6);
    const slow = new DownloadPace();
    slow.limit(0, 1e6, 600);
    expect(slow.bytesPerSecond).toBe(8 * 1024 * 1024);
  });

  it('holds bytes beyond the allowance until a release lets them through at once', async () => {
    const pace = new DownloadPace();
    pace.limit(0, 1e6, 600); // 8 MiB/s: 1 GiB would take two minutes
    let passed = false;
    const waiting = pace.wait(1024 ** 3).then(() => {
      passed = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(passed).toBe(false);
    pace.release();
    await waiting;
    expect(passed).toBe(true);
  });

  it('stops waiting when the signal aborts', async () => {
    const pace = new DownloadPace();
    pace.limit(0, 1e6, 600);
    const controller = new AbortController();
    const waiting = pace.wait(1024 ** 3, controller.signal);
    controller.abort(new Error('job cancelled'));
    await expect(waiting).rejects.toThrow();
  });
});
