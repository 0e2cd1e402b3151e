// Capacity bench: CPU-seconds the worker's ffmpeg spends per minute of source, per default preset and
// source resolution, and the capacity and cost model derived from it (infra/README.md "Capacity and cost").
//   node --conditions=@media-server/source bench/capacity.ts      (from apps/worker; FFMPEG_PATH picks ffmpeg)
// CPU time is user+sys of the ffmpeg process, read from the kernel's accounting of waited-for children
// (the shell builtin `times` after ffmpeg exits, i.e. getrusage(RUSAGE_CHILDREN)). On a shared machine it
// moves far less than wall time, which is printed too but says little here. CAPACITY_SECONDS sets the
// source length (default 10 s).
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { PresetName } from '@media-server/jobs';
import { createInputProfile, probe, resolveBinaries } from '@media-server/media-pipeline';
import { planPreset } from '../src/presets.ts';

const run = promisify(execFile);
const SOURCE_SECONDS = Number(process.env.CAPACITY_SECONDS ?? 10);
const PRESETS: PresetName[] = ['mp4', 'hls', 'poster', 'sprite'];
const RESOLUTIONS = [
  { name: '720p', size: '1280x720' },
  { name: '1080p', size: '1920x1080' },
];

// Prices, us-east-1, on-demand, read 2026-12-06 (see infra/README.md for the sources).
const FARGATE_VCPU_HOUR = 0.04048;
const FARGATE_GB_HOUR = 0.004445;
const FARGATE_EXTRA_STORAGE_GB_HOUR = 0.000111;
/** MediaConvert Basic tier, AVC, ≤30 fps, single pass, first volume band: per output minute. */
const MEDIACONVERT_BASIC = { SD: 0.0075, HD: 0.015 };
/** The worker task of infra/ (2 vCPU, 4 GiB, 50 GiB ephemeral of which 20 are free). */
const TASK = { vcpu: 2, memoryGb: 4, extraStorageGb: 30 };
/** Share of a task's CPU that goes to ffmpeg: download, probe, output checks and upload take the rest. */
const UTILISATION = 0.8;

const { ffmpeg } = resolveBinaries();
const scratch = await mkdtemp(join(tmpdir(), 'capacity-bench-'));

function log(message: string): void {
  process.stderr.write(`[capacity ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/** Runs `ffmpeg args` under a shell that reports its children's CPU time once ffmpeg has exited. */
function cpuSecondsOf(args: string[]): Promise<{ cpu: number; wall: number }> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    // fd 3 is ffmpeg's progress pipe in the presets' argv: give it /dev/null.
    const child = spawn(
      'sh',
      [
        '-c',
        '"$@" 3>/dev/null >/dev/null 2>"$FFMPEG_LOG"; status=$?; times; exit $status',
        'sh',
        ffmpeg,
        ...args,
      ],
      {
        env: { ...process.env, FFMPEG_LOG: join(scratch, 'ffmpeg.log') },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`ffmpeg exited ${code}; see ${join(scratch, 'ffmpeg.log')}`));
      // `times` prints the shell's own user/sys, then its children's: "0m12.345s 0m0.678s".
      const children = out.trim().split('\n').at(-1) ?? '';
      const parts = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
      if (parts.length !== 2) return reject(new Error(`cannot read times output: ${out}`));
      resolve({
        cpu: (parts[0] ?? 0) + (parts[1] ?? 0),
        wall: Number(process.hrtime.bigint() - started) / 1e9,
      });
    });
  });
}

/** A camera-like source: moving test pattern with temporal noise (harder to encode than a clean pattern). */
async function makeSource(file: string, size: string): Promise<void> {
  await run(ffmpeg, [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${size}:rate=30:duration=${SOURCE_SECONDS}`,
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=440:duration=${SOURCE_SECONDS}`,
    '-vf',
    'noise=alls=6:allf=t',
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-crf',
    '18',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-b:a',
    '160k',
    '-shortest',
    file,
  ]);
}

interface Row {
  resolution: string;
  preset: PresetName;
  cpuPerMinute: number;
  wallPerMinute: number;
  /** MediaConvert output-minutes per source minute of this preset's video renditions, by class. */
  renditions: Array<'SD' | 'HD'>;
}

const rows: Row[] = [];
const version = (await run(ffmpeg, ['-version'])).stdout.split('\n')[0] ?? '';
log(
  `${version}; ${cpus().length} CPUs (${cpus()[0]?.model}); load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
for (const resolution of RESOLUTIONS) {
  const source = join(scratch, `source-${resolution.name}.mp4`);
  await makeSource(source, resolution.size);
  const profile = createInputProfile();
  const info = await probe(source, { profile });
  const minutes = (info.durationSeconds ?? SOURCE_SECONDS) / 60;
  for (const preset of PRESETS) {
    const outDir = join(scratch, `out-${resolution.name}`);
    await mkdir(outDir, { recursive: true });
    const plan = await planPreset({ preset, input: source, probe: info, outDir, profile });
    const { cpu, wall } = await cpuSecondsOf(plan.builder.toArgs());
    await plan.finalize();
    const heights =
      preset === 'mp4'
        ? [info.video?.height ?? 0]
        : preset === 'hls'
          ? plan.outputs
              .filter((o) => o.kind === 'hls-playlist')
              .map((o) => Number.parseInt(o.variant ?? '0', 10))
          : [];
    rows.push({
      resolution: resolution.name,
      preset,
      cpuPerMinute: cpu / minutes,
      wallPerMinute: wall / minutes,
      renditions: heights.map((height) => (height >= 720 ? 'HD' : 'SD')),
    });
    log(
      `${resolution.name} ${preset}: ${cpu.toFixed(1)} CPU-s, ${wall.toFixed(1)} s wall for ${(minutes * 60).toFixed(0)} s of source`,
    );
    await rm(outDir, { recursive: true, force: true });
  }
}
await rm(scratch, { recursive: true, force: true });

const money = (value: number) => `$${value.toFixed(4)}`;
const taskHour =
  TASK.vcpu * FARGATE_VCPU_HOUR +
  TASK.memoryGb * FARGATE_GB_HOUR +
  TASK.extraStorageGb * FARGATE_EXTRA_STORAGE_GB_HOUR;
console.log(
  `\nffmpeg: ${version}; machine: ${cpus().length} × ${cpus()[0]?.model}; ${SOURCE_SECONDS} s sources (testsrc2 + noise, 30 fps, AAC)\n`,
);
console.log(
  '| source | preset | CPU-s per source minute | wall s per source minute (loaded machine) | MediaConvert outputs |',
);
console.log('| --- | --- | ---: | ---: | --- |');
for (const row of rows) {
  const outputs = row.renditions.length === 0 ? '—' : row.renditions.join(' + ');
  console.log(
    `| ${row.resolution} | ${row.preset} | ${row.cpuPerMinute.toFixed(1)} | ${row.wallPerMinute.toFixed(1)} | ${outputs} |`,
  );
}
console.log(
  '\n| source | all default presets, CPU-s per source minute | source minutes per Fargate vCPU-hour | jobs/hour per vCPU (5-min videos) | Fargate $ per source minute | MediaConvert Basic $ per source minute (mp4 + HLS only) | Fargate ÷ MediaConvert |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const resolution of RESOLUTIONS) {
  const mine = rows.filter((row) => row.resolution === resolution.name);
  const cpu = mine.reduce((sum, row) => sum + row.cpuPerMinute, 0);
  const minutesPerVcpuHour = (3600 * UTILISATION) / cpu;
  const fargate = (taskHour / TASK.vcpu) * (cpu / UTILISATION / 3600);
  const mediaconvert = mine
    .flatMap((row) => row.renditions)
    .reduce((sum, klass) => sum + MEDIACONVERT_BASIC[klass], 0);
  console.log(
    `| ${resolution.name} | ${cpu.toFixed(1)} | ${minutesPerVcpuHour.toFixed(1)} | ${(minutesPerVcpuHour / 5).toFixed(1)} | ${money(fargate)} | ${money(mediaconvert)} | ${(fargate / mediaconvert).toFixed(2)} |`,
  );
}
console.log(
  `\nModel: ${TASK.vcpu} vCPU / ${TASK.memoryGb} GB task = ${money(taskHour)}/h on demand (us-east-1); ffmpeg gets ${UTILISATION * 100}% of the task's CPU.`,
);
