/**
 * Benchmarks for @media-server/media-pipeline. Run once: `pnpm --filter @media-server/media-pipeline bench`.
 * Inputs are generated in a temp dir (1280x720, 25 fps, keyframe every 2 s, AAC audio).
 * CPU time of ffmpeg processes is measured with /usr/bin/time (user + sys of the child).
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  type FfmpegBuilder,
  ffmpeg,
  h264Mp4,
  hlsLadder,
  probe,
  resolveBinaries,
  runFfmpeg,
  sprite,
} from '@media-server/media-pipeline';
import fluent from 'fluent-ffmpeg';

const bin = resolveBinaries().ffmpeg;
const dir = await mkdtemp(join(tmpdir(), 'media-pipeline-bench-'));
const rows: string[][] = [];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

function spawnWait(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'ignore'] });
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited ${code}`))));
  });
}

/** Runs ffmpeg with argv under /usr/bin/time; returns wall and CPU (user+sys) seconds. */
async function timed(argv: string[]): Promise<{ wall: number; cpu: number }> {
  const out = join(dir, `time-${Math.random().toString(36).slice(2)}.txt`);
  const t0 = performance.now();
  await spawnWait('/usr/bin/time', ['-f', '%U %S', '-o', out, bin, ...argv]);
  const wall = (performance.now() - t0) / 1000;
  const [u, s] = (await readFile(out, 'utf8')).trim().split(/\s+/).map(Number);
  return { wall, cpu: (u ?? 0) + (s ?? 0) };
}

async function timedSeq(argvs: string[][]): Promise<{ wall: number; cpu: number }> {
  let wall = 0;
  let cpu = 0;
  for (const a of argvs) {
    const r = await timed(a);
    wall += r.wall;
    cpu += r.cpu;
  }
  return { wall, cpu };
}

const f2 = (n: number): string => n.toFixed(2);

/** A 20 s H.264/AAC test clip of the given size, keyframe every `gop` frames (default 50: 2 s). */
async function makeSource(path: string, size: string, gop = 50): Promise<string> {
  await runFfmpeg(
    ffmpeg()
      .lavfiInput(`testsrc2=size=${size}:rate=25`, { duration: 20 })
      .lavfiInput('sine=frequency=440:sample_rate=48000', { duration: 20 })
      .output(path, {
        map: ['0:v', '1:a'],
        videoCodec: 'libx264',
        preset: 'veryfast',
        pixelFormat: 'yuv420p',
        audioCodec: 'aac',
        options: { g: gop },
      }),
  );
  return path;
}

try {
  // Inputs
  const input = await makeSource(join(dir, 'input-720p.mp4'), '1280x720');
  const info = await probe(input);

  // (1) Wrapper overhead: identical argv, raw spawn vs runFfmpeg (progress parsing, watchers), both
  // under /usr/bin/time so ffmpeg's own CPU is known; Node-side CPU of the wrapper measured separately.
  const out1 = join(dir, 'overhead.mp4');
  const cmd1: FfmpegBuilder = ffmpeg()
    .input(input, { duration: 6 })
    .output(out1, { videoCodec: 'libx264', preset: 'veryfast', crf: 23, audioCodec: 'copy' });
  const argv1 = ['-progress', 'pipe:1', '-nostats', ...cmd1.toArgs()];
  const raw: number[] = [];
  const wrapped: number[] = [];
  const wrapperCpu: number[] = [];
  const ffmpegCpu: number[] = [];
  for (let i = 0; i < 5; i++) {
    const r = await timed(argv1);
    raw.push(r.wall);
    const timeFile = join(dir, `wrapped-${i}.txt`);
    const cpu0 = process.cpuUsage();
    const t = performance.now();
    await runFfmpeg(['-f', '%U %S', '-o', timeFile, bin, ...argv1], {
      ffmpegPath: '/usr/bin/time',
      onProgress: () => {},
    });
    wrapped.push((performance.now() - t) / 1000);
    const cpu = process.cpuUsage(cpu0);
    wrapperCpu.push((cpu.user + cpu.system) / 1e6);
    const [u, sy] = (await readFile(timeFile, 'utf8')).trim().split(/\s+/).map(Number);
    ffmpegCpu.push((u ?? 0) + (sy ?? 0));
  }
  const overhead = (median(wrapped) / median(raw) - 1) * 100;
  const cpuShare = (median(wrapperCpu) / median(ffmpegCpu)) * 100;
  rows.push([
    '1. wrapper overhead (6 s 720p, x264 veryfast, same argv, median of 5 interleaved)',
    `raw spawn ${f2(median(raw))} s`,
    `runFfmpeg ${f2(median(wrapped))} s`,
    `${overhead >= 0 ? '+' : ''}${overhead.toFixed(1)} % wall; wrapper's own CPU ${f2(median(wrapperCpu) * 1000)} ms = ${cpuShare.toFixed(2)} % of ffmpeg's`,
    '≤ 2 %',
  ]);

  // (2) 3-rung ladder: one pass (one decode, split) vs three processes, on a 720p and a 1080p source.
  const input1080 = await makeSource(join(dir, 'input-1080p.mp4'), '1920x1080');
  const ladderCases = [
    { label: '720p', source: input, heights: [720, 480, 360] },
    { label: '1080p', source: input1080, heights: [1080, 720, 480] },
  ];
  const bitrates: Record<number, number> = { 1080: 5_000_000, 720: 2_800_000, 480: 1_400_000, 360: 800_000 };
  for (const { label, source, heights } of ladderCases) {
    const sourceInfo = await probe(source);
    const ladder = heights.map((height) => ({ height, videoBitrate: bitrates[height] ?? 1_000_000 }));
    const onePassDir = join(dir, `ladder-one-${label}`);
    await mkdir(onePassDir);
    const one = await timed(
      hlsLadder({
        input: source,
        probe: sourceInfo,
        outputDir: onePassDir,
        ladder,
        preset: 'veryfast',
      }).builder.toArgs(),
    );
    const seqArgv: string[][] = [];
    for (const rung of ladder) {
      const d = join(dir, `ladder-${label}-${rung.height}`);
      await mkdir(d);
      seqArgv.push(
        hlsLadder({
          input: source,
          probe: sourceInfo,
          outputDir: d,
          ladder: [rung],
          preset: 'veryfast',
        }).builder.toArgs(),
      );
    }
    const three = await timedSeq(seqArgv);
    rows.push([
      `2. 3-rung HLS ladder ${heights.join('/')} (20 s ${label} source, veryfast)`,
      `3 processes ${f2(three.wall)} s wall / ${f2(three.cpu)} s CPU`,
      `1 pass ${f2(one.wall)} s wall / ${f2(one.cpu)} s CPU`,
      `${f2(three.wall / one.wall)}× faster, ${((1 - one.cpu / three.cpu) * 100).toFixed(1)} % less CPU`,
      '≥ 1.3×, ≥ 20 %',
    ]);
  }

  // (3) Storyboard vs a full decode with `fps=1/2,scale,tile` (same tile size and grid), on a 2 s and an
  // 8 s GOP. Ours includes the packet scan (ffprobe) that picks the strategy, in wall time.
  const input8 = await makeSource(join(dir, 'input-720p-gop8.mp4'), '1280x720', 200);
  for (const [label, source] of [
    ['2 s', input],
    ['8 s', input8],
  ] as const) {
    const storyDir = join(dir, `storyboard-${label.replace(' ', '')}`);
    await mkdir(storyDir);
    const t0 = performance.now();
    const plan = await sprite({ input: source, probe: await probe(source), outputDir: storyDir });
    const scanWall = (performance.now() - t0) / 1000;
    const ours = await timed(plan.builder.toArgs());
    const { columns, rows: gridRows, thumbWidth, thumbHeight } = plan.layout;
    const full = await timed([
      '-hide_banner',
      '-y',
      '-i',
      source,
      '-vf',
      `fps=1/2,scale=${thumbWidth}:${thumbHeight},tile=${columns}x${gridRows}`,
      '-frames:v',
      '1',
      join(storyDir, 'full.jpg'),
    ]);
    rows.push([
      `3. storyboard (20 s 720p, keyframe every ${label}, ${plan.layout.tiles} tiles)`,
      `full decode fps=1/2 ${f2(full.wall)} s / ${f2(full.cpu)} s CPU`,
      `${plan.strategy} ${f2(scanWall + ours.wall)} s (scan ${f2(scanWall)} s) / ${f2(ours.cpu)} s CPU`,
      `${f2(full.wall / (scanWall + ours.wall))}× faster wall, ${f2(full.cpu / ours.cpu)}× less ffmpeg CPU`,
      label === '2 s' ? '≥ 5×' : '≥ 2×',
    ]);
  }

  // (5) Stopping a run whose output is discarded: the old `q` (ffmpeg flushes and rewrites the file for
  // faststart) vs runFfmpeg's SIGKILL, measured from the stop request to the process being gone.
  const abortArgs = h264Mp4({ input, probe: info, output: join(dir, 'abort.mp4') }).builder.toArgs();
  const quitMs: number[] = [];
  const killMs: number[] = [];
  for (let i = 0; i < 5; i++) {
    quitMs.push(
      await new Promise<number>((resolve, reject) => {
        const p = spawn(bin, ['-progress', 'pipe:1', '-nostats', ...abortArgs], {
          stdio: ['pipe', 'pipe', 'ignore'],
        });
        let asked = 0;
        p.stdout.on('data', (chunk: Buffer) => {
          if (!asked && /out_time_us=([3-9]\d{6}|\d{8,})/.test(chunk.toString())) {
            asked = performance.now();
            p.stdin.write('q');
          }
        });
        p.on('error', reject);
        p.on('exit', () => resolve(performance.now() - asked));
      }),
    );
    const controller = new AbortController();
    let abortedAt = 0;
    await runFfmpeg(abortArgs, {
      signal: controller.signal,
      onProgress: (p) => {
        if (!abortedAt && p.outTimeSeconds >= 3) {
          abortedAt = performance.now();
          controller.abort();
        }
      },
    }).catch(() => undefined);
    killMs.push(performance.now() - abortedAt);
  }
  rows.push([
    '5. abort a 720p x264 medium +faststart encode 3 s in (median of 5, until the process is gone)',
    `q: ${median(quitMs).toFixed(0)} ms (range ${Math.min(...quitMs).toFixed(0)}–${Math.max(...quitMs).toFixed(0)})`,
    `SIGKILL: ${median(killMs).toFixed(0)} ms (range ${Math.min(...killMs).toFixed(0)}–${Math.max(...killMs).toFixed(0)})`,
    `${f2(median(quitMs) / median(killMs))}× sooner`,
    '≤ 250 ms',
  ]);

  // (4) The seed's command through fluent-ffmpeg vs h264Mp4 (same x264 settings, plus faststart/maps).
  fluent.setFfmpegPath(bin);
  const fluentOut = join(dir, 'fluent.mp4');
  let t = performance.now();
  await new Promise<void>((resolve, reject) => {
    fluent(input)
      .outputOptions(['-c:v libx264', '-crf 23', '-preset medium', '-c:a copy'])
      .on('end', () => resolve())
      .on('error', reject)
      .save(fluentOut);
  });
  const fluentWall = (performance.now() - t) / 1000;
  t = performance.now();
  await runFfmpeg(h264Mp4({ input, probe: info, output: join(dir, 'ours.mp4') }).builder);
  const oursWall = (performance.now() - t) / 1000;
  rows.push([
    '4. seed command (x264 medium crf 23, audio copy), 20 s 720p',
    `fluent-ffmpeg ${f2(fluentWall)} s`,
    `h264Mp4 + runFfmpeg ${f2(oursWall)} s`,
    `${oursWall <= fluentWall ? '' : '+'}${((oursWall / fluentWall - 1) * 100).toFixed(1)} % wall (ours also: +faststart, typed errors, progress, safe input profile)`,
    'peer',
  ]);

  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(
    `\nMachine: ${cpu}, ${cpus().length} cores, Node ${process.version}, ${new Date().toISOString()}`,
  );
  console.log(`ffmpeg: ${bin.split('/node_modules/').pop()}\n`);
  console.log('| benchmark | baseline | ours | result | target |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
