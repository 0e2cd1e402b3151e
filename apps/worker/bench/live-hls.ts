// Live HLS bench: `pnpm --filter @media-server/worker bench:live`. Time to playable (upload done → the
// first segment of every rung answers 200 through GET /v1/jobs/{id}/playback and the signed playlists)
// for 1, 5 and 10 minute 1080p H.264 sources with the live publisher, and the total job time of today's
// path (WORKER_LIVE_HLS=false: HLS served once the job has succeeded) against the live one for the same
// presets. Sources are generated once (1 min of lavfi at ultrafast, then stream-copied into 5 and 10 min)
// and cached under .tmp/bench-sources. Prints a markdown table (copy it into README.md).
// BENCH_LIVE_MINUTES (default 1,5,10) picks the lengths; BENCH_LIVE_TOTAL_SECONDS (default 30) is the length of the source of the total-time comparison (0: skip it).
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Upload } from '@aws-sdk/lib-storage';
import { newJobId, uploadKey } from '@media-server/jobs';
import { execa } from 'execa';
import { startTestAws, type TestAws, WorkerProcess } from '../test/helpers.ts';
import { startPlaybackProbe } from './time-to-playable.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const cache = join(repoRoot, '.tmp', 'bench-sources');
const ffmpeg = existsSync('/usr/bin/ffmpeg') ? '/usr/bin/ffmpeg' : 'ffmpeg';
const totalSeconds = Number(process.env.BENCH_LIVE_TOTAL_SECONDS ?? 30);
// BENCH_LIVE_MINUTES: the source lengths of the time-to-playable rows (default 1,5,10).
const lengths = (process.env.BENCH_LIVE_MINUTES ?? '1,5,10').split(',').map(Number);
const rows: string[][] = [];
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const log = (message: string) =>
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

async function source(minutes: number): Promise<string> {
  await mkdir(cache, { recursive: true });
  const file = join(cache, `1080p-${minutes}min.mp4`);
  if (existsSync(file)) return file;
  const one = join(cache, '1080p-1min.mp4');
  if (!existsSync(one)) {
    log('generating the 1 min 1080p source');
    await execa(ffmpeg, [
      ...['-hide_banner', '-loglevel', 'error', '-y'],
      ...['-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=30:duration=60'],
      ...['-f', 'lavfi', '-i', 'sine=frequency=440:duration=60'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', '60'],
      ...['-c:a', 'aac', '-shortest', '-movflags', '+faststart', one],
    ]);
  }
  if (minutes === 1) return one;
  const list = join(cache, `list-${minutes}.txt`);
  await writeFile(list, `${Array.from({ length: minutes }, () => `file '${one}'`).join('\n')}\n`);
  await execa(ffmpeg, [
    ...['-hide_banner', '-loglevel', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', list],
    ...['-c', 'copy', '-movflags', '+faststart', file],
  ]);
  return file;
}

async function cut(seconds: number): Promise<string> {
  const file = join(cache, `1080p-${seconds}s.mp4`);
  if (!existsSync(file)) {
    await execa(ffmpeg, [
      ...['-hide_banner', '-loglevel', 'error', '-y', '-i', await source(1), '-t', String(seconds)],
      ...['-c', 'copy', '-movflags', '+faststart', file],
    ]);
  }
  return file;
}

async function upload(aws: TestAws, jobId: string, file: string): Promise<void> {
  const { createReadStream } = await import('node:fs');
  await new Upload({
    client: aws.s3,
    params: { Bucket: aws.bucket, Key: uploadKey(jobId, 'clip.mp4'), Body: createReadStream(file) },
    partSize: 64 * 1024 * 1024,
    queueSize: 2,
  }).done();
}

/** One job: the time to playable and, with `toEnd`, the time to `succeeded` (both from the upload's end). */
async function runJob(
  file: string,
  env: Record<string, string>,
  toEnd: boolean,
): Promise<{ playableMs: number; totalMs: number | undefined; processMs: number | undefined }> {
  const aws = await startTestAws({ visibilityTimeout: 120 });
  const worker = await WorkerProcess.start({
    ...aws.env,
    WORKER_PROGRESS_INTERVAL_MS: '2000',
    WORKER_CONCURRENCY: '1',
    WORKER_SHUTDOWN_GRACE_MS: '1000',
    ...env,
  });
  const probeApi = await startPlaybackProbe(aws);
  try {
    const jobId = newJobId();
    // The job belongs to the bench's API key (a key sees only its own jobs).
    await aws.store.writeSpec({
      schemaVersion: 1,
      jobId,
      createdAt: new Date().toISOString(),
      source: { key: uploadKey(jobId, 'clip.mp4') },
      owner: 'bench',
    });
    await upload(aws, jobId, file);
    const uploaded = Date.now();
    const playable = await probeApi.waitUntilPlayable(jobId, 3 * 3600_000);
    // Where the time went: the worker's log lines up to playable, in ms after the upload completed.
    for (const line of worker.logs) {
      const at = Date.parse(String(line.time)) - uploaded;
      if (at <= playable - uploaded) log(`  +${at} ms ${String(line.msg)}`);
    }
    if (!toEnd) return { playableMs: playable - uploaded, totalMs: undefined, processMs: undefined };
    const done = await worker.waitForLog(
      (line) => (line.msg === 'job succeeded' || line.msg === 'job failed') && line.jobId === jobId,
      3 * 3600_000,
    );
    if (done.msg !== 'job succeeded') throw new Error(`job ${jobId} failed`);
    const status = await aws.store.readStatus(jobId);
    return {
      playableMs: playable - uploaded,
      totalMs: Date.parse(String(done.time)) - uploaded,
      processMs: status?.timings.processMs,
    };
  } finally {
    await probeApi.stop();
    await worker.stop();
    await aws.stop();
  }
}

const loadBefore = loadavg()[0] ?? 0;
for (const minutes of lengths) {
  const file = await source(minutes);
  log(`live, ${minutes} min: waiting for the first segment of every rung`);
  const live = await runJob(file, {}, false);
  log(`live, ${minutes} min: playable after ${s(live.playableMs)}`);
  rows.push([
    `${minutes} min 1080p30 H.264 + AAC, default presets, live publishing`,
    `time to playable ${s(live.playableMs)} (load ${(loadavg()[0] ?? 0).toFixed(1)})`,
    '≤ 10 s, independent of the length',
  ]);
}

const short = totalSeconds > 0 ? await cut(totalSeconds) : '';
for (const [name, env] of totalSeconds <= 0
  ? []
  : ([
      ['today (WORKER_LIVE_HLS=false)', { WORKER_LIVE_HLS: 'false' }],
      ['live', {}],
    ] as const)) {
  log(`${name}, ${totalSeconds} s: the whole job`);
  const result = await runJob(short, env, true);
  rows.push([
    `${totalSeconds} s 1080p30, default presets (mp4, hls, poster, sprite), ${name}`,
    `time to playable ${s(result.playableMs)}, job total ${s(result.totalMs ?? 0)} (ffmpeg stages ${s(result.processMs ?? 0)}) (load ${(loadavg()[0] ?? 0).toFixed(1)})`,
    name === 'live' ? 'total ≤ 1.05 × today' : 'playable = total',
  ]);
}

console.log(
  `\nMachine: ${availableParallelism()} × ${cpus()[0]?.model ?? 'unknown CPU'}, shared with other jobs (load average ${loadBefore.toFixed(1)} at the start, ${(loadavg()[0] ?? 0).toFixed(1)} at the end); ffmpeg ${ffmpeg}; ${new Date().toISOString().slice(0, 16)} UTC\n`,
);
console.log('| measurement | result | target |\n| --- | --- | --- |');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
