// Time to playable: from an upload completing to the first HLS segment answering 200 through the API's
// signed playback URLs (GET /v1/jobs/{id}/playback → master → variant → init → first segment), against
// local-aws with signature checks on. The API runs in this process, the worker as its own process.
import { hashApiKey } from '../../api/src/api-keys.ts';
import { buildApp } from '../../api/src/app.ts';
import { loadConfig } from '../../api/src/config.ts';
import { createAwsClients } from '../../api/src/context.ts';
import type { TestAws } from '../test/helpers.ts';

const API_KEY = 'bench-key-0123456789';

/** The URIs of a playlist: URI lines and `URI="…"` attributes, in order. */
function urisIn(playlist: string): string[] {
  return playlist
    .split('\n')
    .map((line) => line.trim())
    .flatMap((line) => {
      if (line === '') return [];
      if (!line.startsWith('#')) return [line];
      return [...line.matchAll(/URI="([^"]*)"/g)].map((match) => match[1] ?? '');
    });
}

async function get(url: string): Promise<Response> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`GET ${url.slice(0, 120)} answered ${response.status}`);
  return response;
}

export interface PlaybackProbe {
  /** Polls the playback route until the first segment of every rung answers 200; the time it did (epoch ms). */
  waitUntilPlayable(jobId: string, timeoutMs: number): Promise<number>;
  stop(): Promise<void>;
}

/** Starts the API on loopback against the test stack. */
export async function startPlaybackProbe(aws: TestAws): Promise<PlaybackProbe> {
  const config = loadConfig({
    ...aws.env,
    API_KEYS: `bench:${hashApiKey(API_KEY)}`,
    PLAYBACK_SECRET: 'bench-playback-secret-0123456789abcdef',
    LOG_LEVEL: 'silent',
  });
  const clients = createAwsClients(config);
  const app = await buildApp(config, clients);
  const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    async waitUntilPlayable(jobId, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const response = await fetch(`${baseUrl}/v1/jobs/${jobId}/playback`, {
          headers: { authorization: `Bearer ${API_KEY}` },
        });
        if (response.status === 200) {
          const { hls } = (await response.json()) as { hls: string | null };
          if (hls === null) throw new Error(`job ${jobId} has no HLS output`);
          const master = urisIn(await (await get(hls)).text());
          // Every rung: its init segment (EXT-X-MAP) comes first, then its first media segment.
          for (const variantUrl of master) {
            const variant = urisIn(await (await get(variantUrl)).text());
            for (const uri of variant.slice(0, 2)) await (await get(uri)).arrayBuffer();
          }
          return Date.now();
        }
        await response.arrayBuffer();
        if (response.status !== 409 && response.status !== 404) {
          throw new Error(`playback of ${jobId} answered ${response.status}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      throw new Error(`job ${jobId} was not playable within ${timeoutMs} ms`);
    },
    async stop() {
      await app.close();
      clients.s3.destroy();
      clients.sqs.destroy();
    },
  };
}
