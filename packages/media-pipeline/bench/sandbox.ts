/**
 * What the sandbox costs: `pnpm --filter @media-server/media-pipeline bench:sandbox`.
 * 1. Start cost: `ffmpeg -version` / `ffprobe -version` spawned as runs spawn them (planSpawn → execa),
 *    unsandboxed (setpriv) and sandboxed (bwrap), interleaved, median of 15 each, for every build here.
 * 2. A 20 s 1080p transcode (h264Mp4 preset, x264 veryfast) with runFfmpeg, sandbox off vs required,
 *    interleaved, median of 3; CPU is the ffmpeg process's own user+sys, read from /proc/<pid>/stat every
 *    100 ms while it runs (bwrap's outer process does not wait for its init, so the children's times of
 *    this process would miss a sandboxed ffmpeg; the same polling is used for both modes).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  ffmpeg,
  h264Mp4,
  probe,
  resolveBinaries,
  runFfmpeg,
  type SandboxMode,
} from '@media-server/media-pipeline';
import { execa } from 'execa';
// Internal: the start cost is measured where every run spawns.
import { NO_PATHS } from '../src/sandbox/paths.ts';
import { planSpawn } from '../src/sandbox/spawn-plan.ts';

const require = createRequire(import.meta.url);
const dir = await mkdtemp(join(tmpdir(), 'media-pipeline-bench-sandbox-'));
const rows: string[][] = [];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

async function startMs(binary: string, mode: SandboxMode): Promise<number> {
  const t0 = performance.now();
  const plan = await planSpawn(binary, ['-hide_banner', '-version'], { mode, paths: NO_PATHS });
  const r = await execa(plan.command, plan.args, { env: plan.env, extendEnv: false, stdin: 'ignore' });
  if (r.exitCode !== 0) throw new Error(`${binary} -version failed`);
  return performance.now() - t0;
}

/** user + sys seconds of a process (fields 14 and 15 of /proc/<pid>/stat, 100 ticks per second). */
async function cpuSecondsOf(pid: number): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (!stat) return undefined;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Every descendant pid of `pid`. */
async function descendants(pid: number): Promise<number[]> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  const children = text.trim().split(/\s+/).filter(Boolean).map(Number);
  return [...children, ...(await Promise.all(children.map(descendants))).flat()];
}

/** Polls the CPU time of the ffmpeg descendant of this process until `stop()`; returns the last reading. */
function watchFfmpegCpu(): { stop(): Promise<number> } {
  let last = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      for (const pid of await descendants(process.pid)) {
        const comm = (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).trim();
        if (comm !== 'ffmpeg') continue;
        last = Math.max(last, (await cpuSecondsOf(pid)) ?? 0);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return last;
    },
  };
}

try {
  const builds: Array<[string, string]> = [
    ['system ffmpeg', resolveBinaries().ffmpegBuild.build === 'system' ? resolveBinaries().ffmpeg : ''],
    ['system ffprobe', resolveBinaries().ffprobeBuild.build === 'system' ? resolveBinaries().ffprobe : ''],
    ['bundled ffmpeg', (require('@ffmpeg-installer/ffmpeg') as { path: string }).path],
    ['bundled ffprobe', (require('@ffprobe-installer/ffprobe') as { path: string }).path],
  ];
  for (const [label, binary] of builds) {
    if (!binary) continue;
    // Warm both paths (library list, sandbox check, page cache) before measuring.
    await startMs(binary, 'off');
    await startMs(binary, 'required');
    const off: number[] = [];
    const on: number[] = [];
    for (let i = 0; i < 15; i += 1) {
      off.push(await startMs(binary, 'off'));
      on.push(await startMs(binary, 'required'));
    }
    const [a, b] = [median(off), median(on)];
    rows.push([
      `start: ${label} -version`,
      `${a.toFixed(1)} ms`,
      `${b.toFixed(1)} ms`,
      `+${(b - a).toFixed(1)} ms`,
      '≤ 20 ms',
    ]);
  }

  const source = join(dir, 'source-1080p.mp4');
  await runFfmpeg(
    ffmpeg()
      .lavfiInput('testsrc2=size=1920x1080:rate=25', { duration: 20 })
      .lavfiInput('sine=frequency=440:sample_rate=48000', { duration: 20 })
      .output(source, {
        map: ['0:v', '1:a'],
        videoCodec: 'libx264',
        preset: 'ultrafast',
        pixelFormat: 'yuv420p',
        audioCodec: 'aac',
        options: { g: 50 },
      }),
    { sandbox: 'off' },
  );
  const info = await probe(source, { sandbox: 'off' });
  const walls: Record<SandboxMode, number[]> = { off: [], required: [], auto: [] };
  const cpu: Record<SandboxMode, number[]> = { off: [], required: [], auto: [] };
  for (let i = 0; i < 3; i += 1) {
    for (const mode of ['off', 'required'] as const) {
      const plan = h264Mp4({
        input: source,
        probe: info,
        output: join(dir, `out-${mode}.mp4`),
        preset: 'veryfast',
      });
      const watch = watchFfmpegCpu();
      const t0 = performance.now();
      const r = await runFfmpeg(plan.builder, { sandbox: mode });
      walls[mode].push((performance.now() - t0) / 1000);
      cpu[mode].push(await watch.stop());
      if (r.isolation !== (mode === 'off' ? 'none' : 'bwrap')) throw new Error(`isolation ${r.isolation}`);
    }
  }
  const [wOff, wOn] = [median(walls.off), median(walls.required)];
  const [cOff, cOn] = [median(cpu.off), median(cpu.required)];
  rows.push([
    '20 s 1080p → h264Mp4 (x264 veryfast), wall',
    `${wOff.toFixed(2)} s`,
    `${wOn.toFixed(2)} s`,
    `${(((wOn - wOff) / wOff) * 100).toFixed(2)} %`,
    '≤ 1 %',
  ]);
  rows.push([
    '… CPU (user + sys)',
    `${cOff.toFixed(2)} s`,
    `${cOn.toFixed(2)} s`,
    `${(((cOn - cOff) / cOff) * 100).toFixed(2)} %`,
    '≤ 1 %',
  ]);

  const header = ['benchmark', 'unsandboxed (setpriv)', 'sandboxed (bwrap)', 'cost', 'goal'];
  console.log(
    `\n${new Date().toISOString()}, ${cpus().length} × ${cpus()[0]?.model}, Node ${process.version}`,
  );
  console.log(`| ${header.join(' | ')} |\n| ${header.map(() => '---').join(' | ')} |`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
  console.log(
    `raw walls off ${walls.off.map((w) => w.toFixed(2))}, on ${walls.required.map((w) => w.toFixed(2))}`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
