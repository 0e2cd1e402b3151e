import { PutObjectCommand } from '@aws-sdk/client-s3';
import { type JobStatus, JobStore, newJobId, outputsPrefix } from '@media-server/jobs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, type Loose, readJson, startHarness } from './harness.ts';

/** The URI lines of a playlist. */
function uriLines(playlist: string): string[] {
  return playlist
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

describe('playback while the job is processing (live HLS)', { timeout: 120_000 }, () => {
  let h: Harness;
  let store: JobStore;

  beforeAll(async () => {
    h = await startHarness();
    store = new JobStore({ s3: h.s3, bucket: 'media' });
  });
  afterAll(async () => {
    await h?.stop();
  });

  const put = (key: string, body: string) =>
    h.s3.send(new PutObjectCommand({ Bucket: 'media', Key: key, Body: body }));

  /** A job whose attempt `attempt` has published a one-rung EVENT ladder with one segment. */
  async function liveJob(attempt: string): Promise<string> {
    const jobId = newJobId();
    const dir = `${outputsPrefix(jobId)}hls-${attempt}/`;
    await put(`${dir}master.m3u8`, '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000\n240p.m3u8\n');
    await put(
      `${dir}240p.m3u8`,
      '#EXTM3U\n#EXT-X-PLAYLIST-TYPE:EVENT\n#EXT-X-MAP:URI="240p_init.mp4"\n#EXTINF:4,\n240p_00000.m4s\n',
    );
    await store.writeSpec({
      schemaVersion: 1,
      jobId,
      createdAt: new Date().toISOString(),
      source: { key: `uploads/${jobId}/a.mp4` },
      owner: 'test',
    });
    await setStatus(jobId, {
      state: 'processing',
      playableAt: new Date().toISOString(),
      live: { attempt, masterKey: `${dir}master.m3u8` },
    });
    return jobId;
  }

  async function setStatus(jobId: string, fields: Partial<JobStatus>): Promise<void> {
    await store.updateStatus(jobId, (current) => {
      const {
        playableAt: _p,
        live: _l,
        error: _e,
        ...rest
      } = current ?? {
        schemaVersion: 1 as const,
        jobId,
        state: 'processing' as const,
        source: { bucket: 'media', key: `uploads/${jobId}/a.mp4` },
        attempts: 1,
        outputs: [],
        timings: {},
        createdAt: new Date().toISOString(),
        updatedAt: new Date().toISOString(),
      };
      return { ...rest, ...fields, updatedAt: new Date().toISOString() };
    });
  }

  it('409 with Retry-After while no rung has a segment yet', async () => {
    const jobId = newJobId();
    await store.writeSpec({
      schemaVersion: 1,
      jobId,
      createdAt: new Date().toISOString(),
      source: { key: `uploads/${jobId}/a.mp4` },
      owner: 'test',
    });
    await setStatus(jobId, { state: 'processing' });

    const response = await h.api(`/v1/jobs/${jobId}/playback`);

    expect(response.status).toBe(409);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await readJson(response)).detail).toMatch(/not playable yet/);
  });

  it('once playable: live HLS URL, playlists served without caching and without ENDLIST', async () => {
    const jobId = await liveJob('a1');

    const response = await h.api(`/v1/jobs/${jobId}/playback`);
    const playback: Loose = await readJson(response);
    const master = await fetch(playback.hls);
    const variant = await fetch(uriLines(await master.text())[0] ?? '');
    const variantText = await variant.text();
    const job: Loose = await readJson(await h.api(`/v1/jobs/${jobId}`));

    expect(response.status).toBe(200);
    expect(playback.live).toBe(true);
    expect(playback.mp4).toBeNull();
    expect(String(playback.hls)).toMatch(/\/hls-a1\/master\.m3u8$/);
    expect(master.headers.get('cache-control')).toBe('no-cache');
    expect(variant.status).toBe(200);
    expect(variant.headers.get('cache-control')).toBe('no-cache');
    expect(variantText).toContain('#EXT-X-PLAYLIST-TYPE:EVENT');
    expect(variantText).not.toContain('#EXT-X-ENDLIST');
    expect(uriLines(variantText)[0]).toMatch(/hls-a1\/240p_00000\.m4s\?/);
    expect(job.playableAt).toEqual(expect.any(String));
  });

  it('a VOD playlist stored before the job says succeeded is served without its ENDLIST', async () => {
    const jobId = await liveJob('e5');
    await put(
      `${outputsPrefix(jobId)}hls-e5/240p.m3u8`,
      '#EXTM3U\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-MAP:URI="240p_init.mp4"\n#EXTINF:4,\n240p_00000.m4s\n#EXT-X-ENDLIST\n',
    );
    const { hls } = await readJson(await h.api(`/v1/jobs/${jobId}/playback`));
    const master = await (await fetch(hls)).text();

    const variant = await (await fetch(uriLines(master)[0] ?? '')).text();

    expect(variant).toContain('240p_00000.m4s');
    expect(variant).not.toContain('#EXT-X-ENDLIST');
  });

  it('after a failure: playback 410 with the reason, and the live playlists answer 410', async () => {
    const jobId = await liveJob('b2');
    const { hls } = await readJson(await h.api(`/v1/jobs/${jobId}/playback`));
    await setStatus(jobId, {
      state: 'failed',
      error: { code: 'DECODE_ERROR', message: 'the source is damaged at 00:03:10', permanent: true },
    });

    const playback = await h.api(`/v1/jobs/${jobId}/playback`);
    const master = await fetch(hls);

    expect(playback.status).toBe(410);
    expect((await readJson(playback)).detail).toMatch(/DECODE_ERROR: the source is damaged/);
    expect(master.status).toBe(410);
  });

  it("a retry's new attempt replaces the old one: the old attempt's playlists answer 410", async () => {
    const jobId = await liveJob('c3');
    const { hls: oldHls } = await readJson(await h.api(`/v1/jobs/${jobId}/playback`));
    // Another worker takes the job over: a new attempt, not playable yet, then playable under its own prefix.
    await setStatus(jobId, { state: 'processing' });
    const before = await h.api(`/v1/jobs/${jobId}/playback`);
    const dir = `${outputsPrefix(jobId)}hls-d4/`;
    await put(`${dir}master.m3u8`, '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000\n240p.m3u8\n');
    await setStatus(jobId, {
      state: 'processing',
      playableAt: new Date().toISOString(),
      live: { attempt: 'd4', masterKey: `${dir}master.m3u8` },
    });

    const old = await fetch(oldHls);
    const now: Loose = await readJson(await h.api(`/v1/jobs/${jobId}/playback`));

    expect(before.status).toBe(409);
    expect(old.status).toBe(410);
    expect(String(now.hls)).toMatch(/\/hls-d4\/master\.m3u8$/);
    expect((await fetch(now.hls)).status).toBe(200);
  });
});
