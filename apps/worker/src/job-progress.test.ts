import type { PresetName } from '@media-server/jobs';
import type { ProbeResult } from '@media-server/media-pipeline';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { estimatePresetSeconds, JobProgressTracker, RUNNING_MAX_PERCENT } from './job-progress.ts';

const PRESETS: PresetName[] = ['mp4', 'hls', 'poster', 'sprite', 'audio', 'image'];

function videoProbe(seconds: number, width: number, height: number): ProbeResult {
  return {
    durationSeconds: seconds,
    video: { displayWidth: width, displayHeight: height, fps: 30 },
  } as unknown as ProbeResult;
}

describe('JobProgressTracker', () => {
  it('goes 0 → 99 through download, probe, presets and store, never 100', () => {
    const start = 1_000_000;
    const tracker = new JobProgressTracker({ sourceBytes: 20e6, startedAt: start });
    const seen: number[] = [];
    const step = (id: string, fraction: number, at: number) =>
      seen.push(tracker.advance(id, fraction, at).percent);
    step('download', 0.5, start + 100);
    step('download', 1, start + 200);
    step('probe', 0, start + 300);
    tracker.planPresets([
      { preset: 'mp4', seconds: 20 },
      { preset: 'poster', seconds: 0.5 },
    ]);
    step('preset:0', 0.5, start + 10_000);
    step('preset:0', 1, start + 20_000);
    step('preset:1', 1, start + 20_500);
    tracker.planStore(5e6);
    step('store', 0.5, start + 20_600);
    step('store', 1, start + 20_700);

    expect(seen[0]).toBeGreaterThan(0);
    for (let i = 1; i < seen.length; i += 1) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1] ?? 0);
    expect(seen.at(-1)).toBe(RUNNING_MAX_PERCENT);
    expect(Math.max(...seen)).toBeLessThan(100);
  });

  it('weighs presets by their expected cost: the mp4 half-way is well past the poster', () => {
    const tracker = new JobProgressTracker({ sourceBytes: 1e6, startedAt: 0 });
    const probed = tracker.advance('probe', 1, 10).percent;
    tracker.planPresets([
      { preset: 'poster', seconds: 1 },
      { preset: 'mp4', seconds: 99 },
    ]);
    const posterDone = tracker.advance('preset:0', 1, 1000).percent;
    const mp4Half = tracker.advance('preset:1', 0.5, 50_000).percent;
    const rest = RUNNING_MAX_PERCENT - probed;
    // The poster is 1 % of the expected work left, half the mp4 about 49 %.
    expect(posterDone - probed).toBeLessThan(rest * 0.02);
    expect(mp4Half - posterDone).toBeGreaterThan(rest * 0.45);
    expect(mp4Half - posterDone).toBeLessThan(rest * 0.55);
  });

  it('gives a whole-job ETA from the rate so far', () => {
    const tracker = new JobProgressTracker({ sourceBytes: 0, startedAt: 0 });
    tracker.advance('probe', 1, 1000);
    tracker.planPresets([{ preset: 'mp4', seconds: 10 }]);
    const { etaSeconds } = tracker.advance('preset:0', 0.5, 10_000);
    // Half of the expected 10 s took about 9 s: about 9 s more (plus the store), not ffmpeg's preset ETA.
    expect(etaSeconds).toBeGreaterThan(5);
    expect(etaSeconds).toBeLessThan(15);
  });

  it('is monotonic and below 100 for any order of updates and re-plans', () => {
    const step = fc.oneof(
      fc.record({
        kind: fc.constant('advance' as const),
        id: fc.constantFrom('download', 'probe', 'preset:0', 'preset:1', 'preset:2', 'store', 'presets'),
        fraction: fc.double({ min: -1, max: 2, noNaN: false }),
      }),
      fc.record({
        kind: fc.constant('presets' as const),
        costs: fc.array(fc.double({ min: 0, max: 1e5, noNaN: true }), { minLength: 0, maxLength: 3 }),
      }),
      fc.record({ kind: fc.constant('store' as const), bytes: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.option(fc.nat()), fc.array(step, { maxLength: 40 }), (bytes, steps) => {
        const tracker = new JobProgressTracker({ sourceBytes: bytes ?? undefined, startedAt: 0 });
        let last = 0;
        let now = 0;
        for (const s of steps) {
          now += 100;
          if (s.kind === 'advance') {
            const { percent } = tracker.advance(s.id, s.fraction, now);
            expect(percent).toBeGreaterThanOrEqual(last);
            expect(percent).toBeLessThanOrEqual(RUNNING_MAX_PERCENT);
            last = percent;
          } else if (s.kind === 'presets') {
            tracker.planPresets(s.costs.map((seconds, i) => ({ preset: PRESETS[i] ?? 'mp4', seconds })));
          } else {
            tracker.planStore(s.bytes);
          }
          const { percent } = tracker.snapshot(now);
          expect(percent).toBeGreaterThanOrEqual(last);
          last = percent;
        }
      }),
    );
  });
});

describe('estimatePresetSeconds', () => {
  it('grows with duration and pixels, and an HLS ladder costs more than one mp4', () => {
    const small = videoProbe(10, 640, 360);
    const big = videoProbe(10, 1920, 1080);
    const long = videoProbe(100, 640, 360);
    expect(estimatePresetSeconds('mp4', big)).toBeGreaterThan(estimatePresetSeconds('mp4', small));
    expect(estimatePresetSeconds('mp4', long)).toBeGreaterThan(estimatePresetSeconds('mp4', small));
    expect(estimatePresetSeconds('hls', small)).toBeGreaterThan(estimatePresetSeconds('mp4', small));
    expect(estimatePresetSeconds('poster', small)).toBeLessThan(estimatePresetSeconds('mp4', small));
  });
});
