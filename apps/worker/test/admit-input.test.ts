import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { newJobId, uploadKey } from '@media-server/jobs';
import { DEFAULT_FORMATS, resolveBinaries } from '@media-server/media-pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeClip, scratchDir, startTestAws, type TestAws, WorkerProcess, waitForStatus } from './helpers.ts';

describe('the worker admits inputs with the library’s admitInput', () => {
  let aws: TestAws;
  let scratch: { dir: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    aws = await startTestAws();
    scratch = await scratchDir();
  });
  afterAll(async () => {
    await aws?.stop();
    await scratch?.cleanup();
  });

  it('runs every preset with the demuxer whitelist narrowed to the one that recognised the file', async () => {
    // Prepare: the real ffmpeg behind a wrapper that records each command line.
    const argvLog = join(scratch.dir, 'argv.log');
    const wrapper = join(scratch.dir, 'ffmpeg');
    await writeFile(
      wrapper,
      `#!/bin/sh\nfor a in "$@"; do printf '%s\\037' "$a" >> "${argvLog}"; done\nprintf '\\n' >> "${argvLog}"\nexec "${resolveBinaries().ffmpeg}" "$@"\n`,
    );
    await chmod(wrapper, 0o755);
    await writeFile(argvLog, '');
    await makeClip(join(scratch.dir, 'clip.mp4'), { seconds: 1 });
    const worker = await WorkerProcess.start({
      ...aws.env,
      FFMPEG_PATH: wrapper,
      // The recording wrapper is a shell script writing a log outside the job's folder: the sandbox shows
      // neither /bin/sh nor that file, so this test runs ffmpeg unsandboxed (the sandbox has its own tests).
      FFMPEG_SANDBOX: 'off',
      WORKER_VIDEO_PRESETS: 'poster,mp4',
    });
    try {
      const jobId = newJobId();

      // Act
      await aws.s3.send(
        new PutObjectCommand({
          Bucket: aws.bucket,
          Key: uploadKey(jobId, 'clip.mp4'),
          Body: await readFile(join(scratch.dir, 'clip.mp4')),
        }),
      );
      const status = await waitForStatus(
        aws.store,
        jobId,
        (s) => s.state === 'succeeded' || s.state === 'failed',
      );

      // Assess: every preset run names only the MP4 family of demuxers, not the whole default list.
      expect(status.state).toBe('succeeded');
      const runs = (await readFile(argvLog, 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split('\u001f'));
      const whitelists = runs
        .map((argv) => argv[argv.indexOf('-format_whitelist') + 1])
        .filter((value, i) => runs[i]?.includes('-format_whitelist') && value !== undefined) as string[];
      expect(whitelists.length).toBeGreaterThanOrEqual(2);
      for (const list of whitelists) {
        const formats = list.split(',');
        expect(formats).toContain('mov');
        expect(formats).not.toContain('matroska');
        expect(formats.length).toBeLessThan(DEFAULT_FORMATS.length);
      }
    } finally {
      await worker.stop();
    }
  });
});
