import { describe, expect, it } from 'vitest';
import { ffmpeg } from '../src/builder.ts';
import { FilterGraph, overlay, renderFilter, scale, select, split, tile } from '../src/filter-graph.ts';
import { createInputProfile } from '../src/input-profile.ts';

describe('FfmpegBuilder', () => {
  it('is immutable: every method returns a new builder and leaves the old one as it was', () => {
    // Prepare
    const base = ffmpeg().input('/media/in.mp4');
    // Act
    const withOutput = base.output('/media/out.mp4', { videoCodec: 'libx264' });
    // Assess
    expect(withOutput).not.toBe(base);
    expect(base.outputs).toHaveLength(0);
    expect(() => base.toArgs()).toThrow(/no output/);
    expect(withOutput.outputs).toHaveLength(1);
  });

  it('builds the seed command as an argv array with file: inputs', () => {
    const args = ffmpeg()
      .input("/media/my clip's.mp4")
      .output('/out/cvted.mp4', { videoCodec: 'libx264', crf: 23, preset: 'medium', audioCodec: 'copy' })
      .toArgs();
    expect(args).toMatchInlineSnapshot(`
      [
        "-hide_banner",
        "-loglevel",
        "warning",
        "-y",
        "-xerror",
        "-i",
        "file:/media/my clip's.mp4",
        "-c:v",
        "libx264",
        "-preset",
        "medium",
        "-crf",
        "23",
        "-c:a",
        "copy",
        "/out/cvted.mp4",
      ]
    `);
  });

  it('never lets a path become an option or a URL', () => {
    // Prepare: names an attacker might choose for an upload key
    const b = ffmpeg().input('-x.mp4').input('http://127.0.0.1/evil.m3u8').output('-y.mp4');
    // Act
    const args = b.toArgs();
    // Assess
    const inputs = args.filter((_, i) => args[i - 1] === '-i');
    expect(inputs).toEqual([
      `file:${process.cwd()}/-x.mp4`,
      `file:${process.cwd()}/http:/127.0.0.1/evil.m3u8`,
    ]);
    expect(args.at(-1)).toBe(`${process.cwd()}/-y.mp4`);
  });

  it('puts the input profile before -i, and -max_alloc with the globals', () => {
    const args = ffmpeg()
      .withProfile(createInputProfile({ formats: ['mov', 'matroska'], maxDurationSeconds: 600 }))
      .input('/in/a.mov', { seek: 1.5 })
      .output('/out/a.mp4', { maxFileSize: 1_000_000, duration: 600 })
      .toArgs();
    expect(args).toMatchInlineSnapshot(`
      [
        "-hide_banner",
        "-loglevel",
        "warning",
        "-y",
        "-xerror",
        "-max_alloc",
        "536870912",
        "-protocol_whitelist",
        "file",
        "-format_whitelist",
        "mov,matroska",
        "-probesize",
        "5000000",
        "-analyzeduration",
        "5000000",
        "-max_streams",
        "16",
        "-max_pixels",
        "33177600",
        "-ss",
        "1.5",
        "-t",
        "600",
        "-i",
        "file:/in/a.mov",
        "-t",
        "600",
        "-fs",
        "1000000",
        "/out/a.mp4",
      ]
    `);
  });

  it('maps filter-graph labels with brackets and stream specifiers as they are', () => {
    const args = ffmpeg()
      .input('/in/a.mp4')
      .chain(['0:v'], [split(2)], ['a', 'b'])
      .chain(['a'], [scale({ w: -2, h: 720 })], ['v720'])
      .chain(['b'], [scale({ w: -2, h: 360 })], ['v360'])
      .output('/out/720.mp4', { map: ['v720', '0:a:0?'], videoCodec: 'libx264' })
      .output('/out/360.mp4', { map: ['v360', '0:a:0?'], videoCodec: 'libx264' })
      .toArgs();
    expect(args.slice(args.indexOf('-filter_complex'))).toMatchInlineSnapshot(`
      [
        "-filter_complex",
        "[0:v]split=2[a][b];[a]scale=w=-2:h=720[v720];[b]scale=w=-2:h=360[v360]",
        "-map",
        "[v720]",
        "-map",
        "0:a:0?",
        "-c:v",
        "libx264",
        "/out/720.mp4",
        "-map",
        "[v360]",
        "-map",
        "0:a:0?",
        "-c:v",
        "libx264",
        "/out/360.mp4",
      ]
    `);
  });

  it('rejects a map to a label the graph does not define', () => {
    expect(() =>
      ffmpeg()
        .input('/a.mp4')
        .output('/b.mp4', { map: ['nope'] }),
    ).toThrow(/unknown filter label/);
  });

  it('registers outputs for cleanup, and extra targets on request', () => {
    const b = ffmpeg()
      .input('/a.mp4')
      .output('/o/b.mp4')
      .output('/o/img_%03d.jpg')
      .cleanupOnFailure({ dir: '/o', prefix: 'seg_' });
    expect(b.cleanupTargets).toEqual([{ path: '/o/b.mp4' }, { dir: '/o', prefix: 'seg_' }]);
  });

  it('takes the expected duration from expectDuration or from the inputs -t', () => {
    const b = ffmpeg().lavfiInput('testsrc2', { duration: 3 }).output('/o/x.mp4');
    expect(b.expectedDurationSeconds).toBe(3);
    expect(b.expectDuration(10).expectedDurationSeconds).toBe(10);
  });

  it('rejects option names that could smuggle extra arguments', () => {
    expect(() =>
      ffmpeg()
        .input('/a')
        .output('/b', { options: { 'x -i http://e': 1 } })
        .toArgs(),
    ).toThrow(/invalid option/);
  });
});

describe('FilterGraph', () => {
  it('escapes values at both levels', () => {
    expect(renderFilter(select('isnan(prev_selected_t)+gte(t-prev_selected_t,2)'))).toBe(
      'select=expr=isnan(prev_selected_t)+gte(t-prev_selected_t\\,2)',
    );
    expect(renderFilter({ name: 'drawtext', args: { text: "it's 10:00 [a];b" } })).toBe(
      "drawtext=text=it\\\\\\'s 10\\\\:00 \\[a\\]\\;b",
    );
  });

  it('renders tile and overlay nodes, and rejects bad labels and duplicate outputs', () => {
    const g = FilterGraph.empty()
      .chain(['0:v'], [scale({ w: 160, h: 90 }), tile(5, 5, { padding: 2 })], ['sheet'])
      .chain(['sheet', '1:v'], [overlay(10, 10)], ['out']);
    expect(g.toString()).toBe(
      '[0:v]scale=w=160:h=90,tile=layout=5x5:padding=2[sheet];[sheet][1:v]overlay=x=10:y=10[out]',
    );
    expect(g.unconsumedLabels()).toEqual(['out']);
    expect(() => g.chain(['0:v'], [split(1)], ['out'])).toThrow(/twice/);
    expect(() => g.chain(['0:v];[x'], [split(1)], ['y'])).toThrow(/invalid filter label/);
  });
});
