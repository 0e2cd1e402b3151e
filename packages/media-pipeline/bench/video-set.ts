/**
 * One combined run (`videoSet`) against one run per preset (`h264Mp4` + `hlsLadder` + `poster` +
 * `sprite`), on generated 20 s 720p and 1080p sources: CPU-seconds (user + sys of every ffmpeg/ffprobe,
 * from /usr/bin/time around each process), wall time, bytes per output, and PSNR/SSIM of the MP4
 * against the source. Run once: `pnpm --filter @media-server/media-pipeline bench:video-set`.
 * Runs unsandboxed (the measuring wrapper is a shell script the sandbox does not mount).
 */
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  ffmpeg,
  h264Mp4,
  hlsLadder,
  type PresetPlan,
  poster,
  probe,
  resolveBinaries,
  runFfmpeg,
  runPreset,
  sprite,
  videoSet,
} from '@media-server/media-pipeline';
import { execa } from 'execa';

const binaries = resolveBinaries();
const dir = await mkdtemp(join(tmpdir(), 'media-pipeline-video-set-bench-'));
const timeLog = join(dir, 'cpu.log');
const wrapper = { ffmpeg: join(dir, 'ffmpeg'), ffprobe: join(dir, 'ffprobe') };
for (const [name, real] of [
  ['ffmpeg', binaries.ffmpeg],
  ['ffprobe', binaries.ffprobe],
] as const) {
  await writeFile(
    wrapper[name],
    `#!/bin/sh\nexec /usr/bin/time -f '%U %S' -a -o '${timeLog}' '${real}' "$@"\n`,
    { mode: 0o755 },
  );
}
const run = { ffmpegPath: wrapper.ffmpeg, sandbox: 'off' as const };

function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/** CPU-seconds logged by the wrappers since the last call. */
async function takeCpu(): Promise<number> {
  const text = await readFile(timeLog, 'utf8').catch(() => '');
  await writeFile(timeLog, '');
  return text
    .split('\n')
    .filter((l) => l.trim())
    .reduce(
      (sum, l) =>
        sum +
        l
          .trim()
          .split(/\s+/)
          .map(Number)
          .reduce((a, b) => a + b, 0),
      0,
    );
}

async function measure(
  plan: () => Promise<PresetPlan>,
): Promise<{ cpu: number; wall: number; bytes: number }> {
  await takeCpu();
  const t0 = performance.now();
  const { outputs } = await runPreset(await plan(), run);
  const wall = (performance.now() - t0) / 1000;
  let bytes = 0;
  for (const o of outputs) bytes += (await stat(o.path)).size;
  return { cpu: await takeCpu(), wall, bytes };
}

async function dirBytes(path: string): Promise<number> {
  let sum = 0;
  for (const n of await readdir(path)) sum += (await stat(join(path, n))).size;
  return sum;
}

/** PSNR (average, dB) and SSIM (All) of `file` against `source`. */
async function quality(file: string, source: string): Promise<{ psnr: number; ssim: number }> {
  const r = await execa(binaries.ffmpeg, [
    '-hide_banner',
    '-i',
    file,
    '-i',
    source,
    '-lavfi',
    '[0:v]split[a][b];[1:v]split[c][d];[a][c]psnr;[b][d]ssim',
    '-f',
    'null',
    '-',
  ]);
  return {
    psnr: Number(/average:([\d.]+)/.exec(r.stderr)?.[1]),
    ssim: Number(/All:([\d.]+)/.exec(r.stderr)?.[1]),
  };
}

const rows: string[][] = [];
const f = (n: number, d = 1) => n.toFixed(d);
const mb = (n: number) => `${(n / 1e6).toFixed(2)} MB`;

for (const [label, size] of [
  ['720p', '1280x720'],
  ['1080p', '1920x1080'],
] as const) {
  const source = join(dir, `source-${label}.mp4`);
  // A near-lossless source, so PSNR measures the encode under test rather than the source's.
  await runFfmpeg(
    ffmpeg()
      .lavfiInput(`testsrc2=size=${size}:rate=25`, { duration: 20 })
      .lavfiInput('sine=frequency=440:sample_rate=48000', { duration: 20 })
      .output(source, {
        map: ['0:v', '1:a'],
        videoCodec: 'libx264',
        preset: 'veryfast',
        crf: 12,
        pixelFormat: 'yuv420p',
        audioCodec: 'aac',
        options: { g: 50 },
      }),
  );
  const info = await probe(source);
  const old = join(dir, `old-${label}`);
  const neu = join(dir, `new-${label}`);
  for (const d of ['mp4', 'hls', 'poster', 'sprite']) {
    await mkdir(join(old, d), { recursive: true });
    await mkdir(join(neu, d), { recursive: true });
  }

  log(`${label}: one run per preset`);
  const mp4 = await measure(async () =>
    h264Mp4({ input: source, probe: info, output: join(old, 'mp4', 'video.mp4') }),
  );
  const hls = await measure(async () =>
    hlsLadder({ input: source, probe: info, outputDir: join(old, 'hls') }),
  );
  const pst = await measure(async () =>
    poster({ input: source, probe: info, output: join(old, 'poster', 'poster.jpg') }),
  );
  const spr = await measure(() =>
    sprite({ input: source, probe: info, outputDir: join(old, 'sprite'), ffprobePath: wrapper.ffprobe }),
  );
  log(`${label}: videoSet`);
  const set = await measure(async () =>
    videoSet({
      input: source,
      probe: info,
      hlsDir: join(neu, 'hls'),
      mp4Output: join(neu, 'mp4', 'video.mp4'),
      posterOutput: join(neu, 'poster', 'poster.jpg'),
      storyboardDir: join(neu, 'sprite'),
      remux: run,
    }),
  );
  log(`${label}: quality`);
  const qOld = await quality(join(old, 'mp4', 'video.mp4'), source);
  const qNew = await quality(join(neu, 'mp4', 'video.mp4'), source);
  const oldMp4 = (await stat(join(old, 'mp4', 'video.mp4'))).size;
  const newMp4 = (await stat(join(neu, 'mp4', 'video.mp4'))).size;
  const oldCpu = mp4.cpu + hls.cpu + pst.cpu + spr.cpu;
  const oldWall = mp4.wall + hls.wall + pst.wall + spr.wall;
  rows.push(
    [
      `${label} per preset: mp4 (medium CRF 23)`,
      f(mp4.cpu),
      f(mp4.wall),
      mb(oldMp4),
      `${f(qOld.psnr, 2)} / ${f(qOld.ssim, 4)}`,
    ],
    [`${label} per preset: hls (3–4 rungs)`, f(hls.cpu), f(hls.wall), mb(hls.bytes), ''],
    [`${label} per preset: poster`, f(pst.cpu, 2), f(pst.wall), mb(pst.bytes), ''],
    [`${label} per preset: sprite`, f(spr.cpu, 2), f(spr.wall), mb(spr.bytes), ''],
    [`**${label} per preset: total**`, `**${f(oldCpu)}**`, `**${f(oldWall)}**`, '', ''],
    [
      `**${label} videoSet (one run + MP4 remux)**`,
      `**${f(set.cpu)}** (${f(set.cpu / oldCpu, 2)}×)`,
      `**${f(set.wall)}** (${f(set.wall / oldWall, 2)}×)`,
      `mp4 ${mb(newMp4)} (${f(newMp4 / oldMp4, 2)}×), hls ${mb(await dirBytes(join(neu, 'hls')))}, poster ${mb(await dirBytes(join(neu, 'poster')))}, sprite ${mb(await dirBytes(join(neu, 'sprite')))}`,
      `${f(qNew.psnr, 2)} / ${f(qNew.ssim, 4)} (${qNew.psnr >= qOld.psnr ? '+' : ''}${f(qNew.psnr - qOld.psnr, 2)} dB)`,
    ],
    [
      `${label} CPU-s per minute of source`,
      `${f((oldCpu / 20) * 60)} → ${f((set.cpu / 20) * 60)}`,
      '',
      '',
      '',
    ],
  );
}

const header = ['run', 'CPU-s', 'wall s', 'bytes', 'MP4 PSNR dB / SSIM vs source'];
const lines = [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`);
process.stdout.write(
  `\n${binaries.ffmpegBuild.build} ffmpeg ${binaries.ffmpegBuild.version ?? ''}, ${cpus().length} CPUs, ` +
    `load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}, ${new Date().toISOString().slice(0, 10)}\n\n${lines.join('\n')}\n`,
);
await rm(dir, { recursive: true, force: true });
