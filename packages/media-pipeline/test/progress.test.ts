import { describe, expect, it } from 'vitest';
import { type FfmpegProgress, MAX_RUNNING_PERCENT, ProgressParser } from '../src/progress.ts';

const block2018 = `frame=50
fps=0.00
stream_0_0_q=-1.0
bitrate= 784.3kbits/s
total_size=198051
out_time_us=1000000
out_time_ms=1000000
out_time=00:00:01.000000
dup_frames=0
drop_frames=0
speed=2.5x
progress=continue
`;

describe('ProgressParser', () => {
  it('parses a block split at arbitrary points, with percent and ETA from the duration', () => {
    // Prepare
    const seen: FfmpegProgress[] = [];
    const parser = new ProgressParser(4, (p) => seen.push(p), Date.now());
    // Act
    for (let i = 0; i < block2018.length; i += 7) parser.push(block2018.slice(i, i + 7));
    parser.push('out_time_ms=4000000\nprogress=end\n');
    // Assess
    expect(seen).toHaveLength(2);
    expect(seen[0]).toMatchObject({
      outTimeSeconds: 1,
      percent: 25,
      frame: 50,
      fps: 0,
      speed: 2.5,
      totalSizeBytes: 198051,
      done: false,
    });
    expect(seen[0]?.etaSeconds).toBeCloseTo(3 / 2.5);
    expect(seen[1]).toMatchObject({ outTimeSeconds: 4, percent: 100, etaSeconds: 0, done: true });
  });

  it('falls back to out_time and treats N/A as unknown', () => {
    const seen: FfmpegProgress[] = [];
    const parser = new ProgressParser(undefined, (p) => seen.push(p));
    parser.push('out_time=00:01:02.500000\nspeed=N/A\nfps=N/A\nprogress=continue\n');
    expect(seen[0]).toMatchObject({
      outTimeSeconds: 62.5,
      percent: undefined,
      speed: undefined,
      fps: undefined,
      etaSeconds: undefined,
    });
  });

  it('stays below 100 until the final block, even when output runs past the expected duration', () => {
    const seen: FfmpegProgress[] = [];
    new ProgressParser(1, (p) => seen.push(p)).push('out_time_us=3000000\nprogress=continue\n');
    expect(seen[0]?.percent).toBe(MAX_RUNNING_PERCENT);
    expect(MAX_RUNNING_PERCENT).toBeLessThan(100);
  });

  it('never reports a lower percent than before (out_time stepping back)', () => {
    const seen: FfmpegProgress[] = [];
    const parser = new ProgressParser(10, (p) => seen.push(p));
    parser.push('out_time_us=5000000\nprogress=continue\n');
    parser.push('out_time_us=3000000\nprogress=continue\n');
    parser.push('out_time_us=6000000\nprogress=continue\n');
    expect(seen.map((p) => p.percent)).toEqual([50, 50, 60]);
  });
});
