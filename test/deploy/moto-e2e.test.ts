import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeClip, prepareDeployFolder } from './app-process.ts';
import { createMotoResources, type MotoResources, peekMessages } from './moto-setup.ts';
import { API_KEY, type RunningApps, startApps } from './stack-under-test.ts';
import { uploadAndWait } from './upload-flow.ts';

// Another implementation of AWS's S3 and SQS APIs than local-aws: moto's server, started by
// .ci/reference-servers.sh (`bash .ci/moto-e2e.sh` runs this file with it).
// Where moto differs from AWS (none of it changes what this test proves):
// - moto checks no signature and routes a request by the credential scope of its Authorization header;
//   the setup (moto-setup.ts) relies on that instead of an SDK. The apps sign as they do against AWS.
// - moto's S3 event percent-encodes "/" in the object key (`uploads%2F<jobId>%2Fclip.mp4`); AWS leaves
//   "/" as it is. The worker URL-decodes keys, so both name the same object.
// - Like AWS, moto fires the notification itself (S3 → SQS in one server process) and sends an
//   s3:TestEvent when the configuration is set; the worker acknowledges that without work.
// biome-ignore lint/suspicious/noUndeclaredEnvVars: set by .ci/run once it has started moto
const MOTO_ENDPOINT = process.env.MOTO_ENDPOINT;
const REGION = 'us-east-1';
const FFMPEG = '/usr/bin/ffmpeg';
const FFPROBE = '/usr/bin/ffprobe';

if (!MOTO_ENDPOINT) {
  console.log('moto end-to-end: skipped, MOTO_ENDPOINT is not set (run `bash .ci/moto-e2e.sh`)');
}

describe.skipIf(!MOTO_ENDPOINT)(
  'end to end on moto (S3, SQS, S3 → SQS notifications), apps in AWS mode',
  () => {
    const endpoint = MOTO_ENDPOINT as string;
    let deployDir: string;
    let resources: MotoResources;
    let apps: RunningApps | undefined;

    beforeAll(async () => {
      deployDir = await mkdtemp(join(tmpdir(), 'moto-e2e-'));
      // The apps run from the images' deploy folders, as in test/deploy/prune.test.ts.
      await Promise.all([
        prepareDeployFolder('api', join(deployDir, 'api')),
        prepareDeployFolder('worker', join(deployDir, 'worker')),
      ]);
      resources = await createMotoResources(endpoint, `e2e${Date.now().toString(36)}`);
      apps = await startApps({
        deployDir,
        // AWS mode: bucket, queue URL and region, no local defaults; endpoints and (unchecked) credentials
        // are the only things that say "moto".
        aws: {
          AWS_REGION: REGION,
          MEDIA_BUCKET: resources.bucket,
          JOBS_QUEUE_URL: resources.queueUrl,
          AWS_ENDPOINT_URL_S3: endpoint,
          AWS_ENDPOINT_URL_SQS: endpoint,
          AWS_ACCESS_KEY_ID: 'testing',
          AWS_SECRET_ACCESS_KEY: 'testing',
        },
        ffmpeg: FFMPEG,
        ffprobe: FFPROBE,
        presets: 'mp4,hls,poster',
      });
    });

    afterAll(async () => {
      await apps?.stop();
      if (deployDir) await rm(deployDir, { recursive: true, force: true });
    });

    it('runs upload → S3 event → worker → outputs → playback links', async () => {
      // Prepare
      const running = apps as RunningApps;
      const clip = join(deployDir, 'clip.mp4');
      await makeClip(FFMPEG, clip, 3);

      // Act: a client's calls only. The S3 event that starts the job is moto's own notification.
      const job = await uploadAndWait(running.apiUrl, API_KEY, clip, { presets: ['mp4', 'hls', 'poster'] });

      // Assess
      expect(job.state, JSON.stringify(job.error)).toBe('succeeded');
      expect(new Set(job.outputs.map((output) => output.preset))).toEqual(new Set(['mp4', 'hls', 'poster']));
      for (const output of job.outputs) {
        // The playback/download links are presigned GETs on moto's S3.
        const response = await fetch(output.url);
        expect(response.status, output.key).toBe(200);
        const bytes = new Uint8Array(await response.arrayBuffer());
        expect(bytes.byteLength).toBe(output.size);
        if (output.kind === 'hls-master')
          expect(new TextDecoder().decode(bytes)).toContain('#EXT-X-STREAM-INF');
      }
      // Playback through the API's signed /play URLs: master → variant → init → first segment, each 200.
      const playbackResponse = await fetch(`${running.apiUrl}/v1/jobs/${job.id}/playback`, {
        headers: { authorization: `Bearer ${API_KEY}` },
      });
      expect(playbackResponse.status).toBe(200);
      const playback = (await playbackResponse.json()) as { hls: string };
      const master = await fetch(playback.hls);
      expect(master.status).toBe(200);
      const variantUrl = firstUri(await master.text());
      const variant = await fetch(variantUrl);
      expect(variant.status, variantUrl).toBe(200);
      const variantText = await variant.text();
      const init = variantText.match(/#EXT-X-MAP:URI="([^"]+)"/)?.[1];
      for (const url of [init, firstUri(variantText)]) {
        expect(url).toMatch(/^https?:\/\//);
        expect((await fetch(url as string)).status, url).toBe(200);
      }
      // The worker took the job from moto's S3 event (not from a job message the API sent).
      const taken = running.worker.logs.find((line) => line.jobId === job.id && typeof line.key === 'string');
      expect(taken?.key).toMatch(/^uploads\//);
      // Outputs and job documents written by the worker started no job: the prefix filter holds on moto too.
      expect(await peekMessages(endpoint, resources.queueUrl)).toEqual([]);
      expect(await peekMessages(endpoint, resources.dlqUrl)).toEqual([]);
    });
  },
);

/** The first URI line of a playlist (the first line that is neither empty nor a tag). */
function firstUri(playlist: string): string {
  const line = playlist.split('\n').find((entry) => entry.trim() !== '' && !entry.startsWith('#'));
  if (line === undefined) throw new Error(`no URI in playlist:\n${playlist}`);
  return line.trim();
}
