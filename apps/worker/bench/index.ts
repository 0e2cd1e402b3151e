// Worker benchmark: `pnpm --filter @media-server/worker bench`. One run, real processes, local-aws on
// loopback, the bundled ffmpeg. Prints a markdown table (copy it into README.md).
//   1. worker RSS (Node process only, ffmpeg excluded) while it processes a 1 GiB upload
//   2. a 20 s 1080p clip end to end (upload → succeeded, mp4 preset) vs ffmpeg alone with the same argv
//   3. 20 short clips through one worker (concurrency 2) vs the same ffmpeg commands, 2 at a time, no queue
//   4. a backlog of 200 poster-only jobs drained by 1, 2 and 4 worker processes
//   5. time to playable: upload completed → first HLS segment 200 through the API's signed playback URLs
// BENCH_SKIP=1,4 skips items; BENCH_SMOKE=1 shrinks every item (to check the script, not to measure).
import { readFile, stat } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { type JobStatus, newJobId, uploadKey } from '@media-server/jobs';
import { h264Mp4, probe, resolveBinaries } from '@media-server/media-pipeline';
import { execa } from 'execa';
import { makeClip, scratchDir, startTestAws, type TestAws, WorkerProcess } from '../test/helpers.ts';
import { startPlaybackProbe } from './time-to-playable.ts';

const smoke = process.env.BENCH_SMOKE === '1';
const backlog = smoke ? 10 : 200;
const skip = new Set((process.env.BENCH_SKIP ?? '').split(',').filter(Boolean));
const rows: string[][] = [];
// The test helper's defaults favour fast tests; the bench runs the worker with its real defaults.
const PRODUCTION_LIKE = { WORKER_PROGRESS_INTERVAL_MS: '2000' };
const ffmpegBin = resolveBinaries().ffmpeg;
const scratch = await scratchDir();

function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

function procStatus(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  return readFile(`/proc/${pid}/status`, 'utf8').then((text) => {
    const kb = Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
    return kb * 1024;
  });
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function withAws<T>(run: (aws: TestAws) => Promise<T>): Promise<T> {
  const aws = await startTestAws({ visibilityTimeout: 120 });
  try {
    return await run(aws);
  } finally {
    await aws.stop();
  }
}

async function put(aws: TestAws, jobId: string, file: string): Promise<void> {
  const { size } = await stat(file);
  if (size < 64 * 1024 * 1024) {
    await aws.s3.send(
      new PutObjectCommand({
        Bucket: aws.bucket,
        Key: uploadKey(jobId, 'clip.mp4'),
        Body: await readFile(file),
      }),
    );
    return;
  }
  const { createReadStream } = await import('node:fs');
  await new Upload({
    client: aws.s3,
    params: { Bucket: aws.bucket, Key: uploadKey(jobId, 'big.mkv'), Body: createReadStream(file) },
    partSize: 64 * 1024 * 1024,
    queueSize: 2,
  }).done();
}

/** Waits for the worker to log the job's end (no status polling: it would load the S3 emulator), then reads it. */
async function finished(
  aws: TestAws,
  worker: WorkerProcess,
  jobId: string,
  timeoutMs: number,
): Promise<JobStatus> {
  await worker.waitForLog(
    (line) => (line.msg === 'job succeeded' || line.msg === 'job failed') && line.jobId === jobId,
    timeoutMs,
  );
  const status = await aws.store.readStatus(jobId);
  if (!status) throw new Error(`job ${jobId} has no status`);
  return status;
}

/** Runs the mp4 preset's argv with ffmpeg directly (no worker, no queue, no S3). */
async function ffmpegAlone(input: string, output: string): Promise<void> {
  const plan = h264Mp4({ input, probe: await probe(input), output });
  await execa(ffmpegBin, ['-nostdin', ...plan.builder.toArgs()]);
}

// 1. RSS with a 1 GiB upload
if (!skip.has('1')) {
  const big = join(scratch.dir, 'big.mkv');
  log('1: generating a 1 GiB source (raw video in Matroska)');
  await execa(ffmpegBin, [
    ...['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=640x480:rate=25'],
    ...['-t', smoke ? '3' : '94', '-c:v', 'rawvideo', '-pix_fmt', 'yuv420p', big],
  ]);
  const { size } = await stat(big);
  await withAws(async (aws) => {
    const worker = await WorkerProcess.start({
      ...aws.env,
      ...PRODUCTION_LIKE,
      WORKER_CONCURRENCY: '1',
      WORKER_VIDEO_PRESETS: 'poster,sprite',
    });
    const pid = worker.child.pid ?? 0;
    const idle = await procStatus(pid, 'VmRSS');
    const jobId = newJobId();
    log(`1: uploading ${mb(size)}`);
    await put(aws, jobId, big);
    log('1: uploaded; waiting for the job');
    const started = Date.now();
    const status = await finished(aws, worker, jobId, 600_000);
    const peak = await procStatus(pid, 'VmHWM');
    await worker.stop();
    rows.push([
      '1 GiB upload (poster + sprite): worker RSS',
      `idle ${mb(idle)}, peak ${mb(peak)} (${status.state} in ${seconds(Date.now() - started)}; download ${seconds(status.timings.downloadMs ?? 0)})`,
      '≤ 200 MB (the original: 110 → 1,050 MB for 300 MB)',
    ]);
  });
}

// 2. 20 s 1080p clip end to end vs ffmpeg alone
if (!skip.has('2')) {
  const clip = join(scratch.dir, '1080p.mp4');
  log('2: generating a 20 s 1080p clip');
  await makeClip(clip, { seconds: smoke ? 2 : 20, size: '1920x1080', rate: 30 });
  // ffmpeg alone is timed before and after the worker run (the mean is the baseline): the load of a
  // shared machine drifts.
  const timeAlone = async () => {
    const started = Date.now();
    await ffmpegAlone(clip, join(scratch.dir, '1080p-out.mp4'));
    return Date.now() - started;
  };
  const aloneBefore = await timeAlone();
  log(`2: ffmpeg alone ${seconds(aloneBefore)}`);
  let t = 0;
  await withAws(async (aws) => {
    const worker = await WorkerProcess.start({
      ...aws.env,
      ...PRODUCTION_LIKE,
      WORKER_CONCURRENCY: '1',
      WORKER_VIDEO_PRESETS: 'mp4',
    });
    const pid = worker.child.pid ?? 0;
    const jobId = newJobId();
    t = Date.now();
    await put(aws, jobId, clip);
    const status = await finished(aws, worker, jobId, 900_000);
    const endToEnd = Date.now() - t;
    const peak = await procStatus(pid, 'VmHWM');
    const ffmpegInWorker = Number(
      worker.logs.find((line) => line.msg === 'preset finished')?.ms ?? Number.NaN,
    );
    await worker.stop();
    const aloneAfter = await timeAlone();
    const alone = (aloneBefore + aloneAfter) / 2;
    rows.push([
      '20 s 1080p clip, mp4 preset: end to end (upload → succeeded) vs ffmpeg alone (mean of before/after)',
      `${seconds(endToEnd)} vs ${seconds(alone)} (${seconds(aloneBefore)} / ${seconds(aloneAfter)}); ffmpeg inside the worker ${seconds(ffmpegInWorker)}, so the worker's own cost is ${seconds(endToEnd - ffmpegInWorker)} (download ${seconds(status.timings.downloadMs ?? 0)}, upload ${seconds(status.timings.uploadMs ?? 0)}); ${status.state}; worker peak RSS ${mb(peak)}`,
      '≤ ffmpeg + 1 s',
    ]);
  });
}

// 3. 20 short clips: worker (concurrency 2) vs the same ffmpeg commands 2 at a time
if (!skip.has('3')) {
  const clip = join(scratch.dir, 'short.mp4');
  await makeClip(clip, { seconds: 3, size: '640x360', rate: 30 });
  const parallelism = 2;
  const clips = smoke ? 4 : 20;
  const timeAlone = async () => {
    const started = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: parallelism }, async () => {
        while (next < clips) {
          const index = next++;
          await ffmpegAlone(clip, join(scratch.dir, `short-${index}.mp4`));
        }
      }),
    );
    return Date.now() - started;
  };
  log(`3: ${clips} clips with ffmpeg alone`);
  const aloneBefore = await timeAlone();
  let t = 0;
  log(`3: ffmpeg alone ${seconds(aloneBefore)}; now through the worker`);
  await withAws(async (aws) => {
    const worker = await WorkerProcess.start({
      ...aws.env,
      ...PRODUCTION_LIKE,
      WORKER_CONCURRENCY: String(parallelism),
      WORKER_VIDEO_PRESETS: 'mp4',
    });
    const jobIds = Array.from({ length: smoke ? 4 : 20 }, () => newJobId());
    t = Date.now();
    await Promise.all(jobIds.map((jobId) => put(aws, jobId, clip)));
    log('3: uploaded');
    await worker.waitForLog(
      () => worker.logs.filter((line) => line.msg === 'job succeeded').length >= jobIds.length,
      900_000,
    );
    const viaWorker = Date.now() - t;
    await worker.stop();
    const aloneAfter = await timeAlone();
    const alone = (aloneBefore + aloneAfter) / 2;
    const perMin = (ms: number) => (jobIds.length / ms) * 60_000;
    rows.push([
      `${jobIds.length} short clips (3 s 640x360, mp4), parallelism 2 (ffmpeg alone: mean of before/after)`,
      `worker ${perMin(viaWorker).toFixed(1)} jobs/min vs ffmpeg ${perMin(alone).toFixed(1)} jobs/min (${perMin(aloneBefore).toFixed(1)} / ${perMin(aloneAfter).toFixed(1)}) = ${(alone / viaWorker).toFixed(2)}`,
      '≥ 0.85 (the original: 12.8 jobs/min)',
    ]);
  });
}

// 4. 200 poster-only jobs drained by 1, 2, 4 workers
if (!skip.has('4')) {
  const clip = join(scratch.dir, 'tiny.mp4');
  await makeClip(clip, { seconds: 1, size: '160x120', rate: 15 });
  const results: string[] = [];
  for (const count of [1, 2, 4]) {
    await withAws(async (aws) => {
      log(`4: queueing ${backlog} jobs for ${count} worker(s)`);
      const body = await readFile(clip);
      for (let i = 0; i < backlog; i += 10) {
        await Promise.all(
          Array.from({ length: 10 }, () =>
            aws.s3.send(
              new PutObjectCommand({
                Bucket: aws.bucket,
                Key: uploadKey(newJobId(), 'tiny.mp4'),
                Body: body,
              }),
            ),
          ),
        );
      }
      const workers = await Promise.all(
        Array.from({ length: count }, (_, n) =>
          WorkerProcess.start({
            ...aws.env,
            ...PRODUCTION_LIKE,
            WORKER_ID: `bench-${n}`,
            WORKER_CONCURRENCY: '1',
            WORKER_VIDEO_PRESETS: 'poster',
          }),
        ),
      );
      const lines = (msg: string) => workers.flatMap((w) => w.logs.filter((line) => line.msg === msg));
      while (lines('job succeeded').length < backlog)
        await new Promise((resolve) => setTimeout(resolve, 100));
      // Drain time from the first job start to the last success (process start-up not counted).
      const times = (msg: string) => lines(msg).map((line) => Date.parse(String(line.time)));
      const ms = Math.max(...times('job succeeded')) - Math.min(...times('job started'));
      await Promise.all(workers.map((worker) => worker.stop()));
      results.push(`${count}: ${(backlog / (ms / 1000)).toFixed(1)} jobs/s`);
      log(`4: ${count} worker(s): ${seconds(ms)}`);
    });
  }
  rows.push([
    '200 poster-only jobs, backlog drained by N workers (concurrency 1 each)',
    results.join(', '),
    'scales until the CPUs are busy',
  ]);
}

// 5. Time to playable: a 20 s 720p clip with the default video presets (mp4, hls, poster, sprite)
if (!skip.has('5')) {
  const clip = join(scratch.dir, '720p.mp4');
  await makeClip(clip, { seconds: smoke ? 2 : 20, size: '1280x720', rate: 30 });
  await withAws(async (aws) => {
    const worker = await WorkerProcess.start({ ...aws.env, ...PRODUCTION_LIKE, WORKER_CONCURRENCY: '1' });
    const probeApi = await startPlaybackProbe(aws);
    try {
      const jobId = newJobId();
      // The job belongs to the probe's API key (a key sees only its own jobs).
      await aws.store.writeSpec({
        schemaVersion: 1,
        jobId,
        createdAt: new Date().toISOString(),
        source: { key: uploadKey(jobId, 'clip.mp4') },
        owner: 'bench',
      });
      log('5: uploading the 720p clip');
      await put(aws, jobId, clip);
      const uploaded = Date.now();
      const playable = await probeApi.waitUntilPlayable(jobId, 900_000);
      const succeeded = await worker.waitForLog(
        (line) => line.msg === 'job succeeded' && line.jobId === jobId,
        60_000,
      );
      const status = await aws.store.readStatus(jobId);
      const total = Date.parse(String(succeeded.time)) - uploaded;
      log(`5: playable after ${seconds(playable - uploaded)}`);
      rows.push([
        '20 s 720p clip, default presets (mp4, hls, poster, sprite): time to playable (upload done → first HLS segment 200 via /v1/jobs/{id}/playback, signature checks on) vs the job total (upload done → succeeded)',
        `${seconds(playable - uploaded)} vs ${seconds(total)} (process ${seconds(status?.timings.processMs ?? 0)}, upload of outputs ${seconds(status?.timings.uploadMs ?? 0)}); ${(status?.outputs ?? []).length} outputs listed`,
        'playable ≈ total: HLS is served only once the job has succeeded',
      ]);
    } finally {
      await probeApi.stop();
      await worker.stop();
    }
  });
}

await scratch.cleanup();
const cpu = cpus()[0]?.model ?? 'unknown CPU';
console.log(
  `\nMachine: ${availableParallelism()} × ${cpu}, ${mb(totalmem())} RAM, Node ${process.versions.node}, load average at the end ${loadavg()
    .map((value) => value.toFixed(1))
    .join(' / ')}; ${new Date().toISOString().slice(0, 16)} UTC\n`,
);
console.log('| measurement | result | target |\n| --- | --- | --- |');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
