import { GetObjectCommand } from '@aws-sdk/client-s3';
import { isNotFound, outputsPrefix } from '@media-server/jobs';
import type { FastifyRequest } from 'fastify';
import type { RouteFlags } from '../app.ts';
import type { AppContext } from '../context.ts';
import { ApiError, NotFoundError } from '../errors.ts';
import { loadJob } from '../job-view.ts';
import { checkPlaylistIsCurrent, playableLadder } from '../playback/playable-ladder.ts';
import { PlaybackLinks } from '../playback/playback-links.ts';
import { signPlaybackToken, verifyPlaybackToken } from '../playback/playback-token.ts';
import { rewritePlaylist, rewriteStoryboardVtt, storyboardImages } from '../playback/rewrite-playlist.ts';
import {
  PLAYLIST_CONTENT_TYPE,
  type Playback,
  PlaybackJobParamsSchema,
  PlaybackSchema,
  PlayParamsSchema,
  playedFileResponse,
  VTT_CONTENT_TYPE,
} from '../playback/schemas.ts';
import { json, problemResponse } from '../schemas.ts';
import type { TypedApp } from '../typed-app.ts';

/** Largest playlist or storyboard the API rewrites (a 10-hour ladder at 2 s segments is ~1 MiB). */
const MAX_PLAYED_FILE_BYTES = 8 * 1024 * 1024;

/** The API's origin as the client reached it (honours `X-Forwarded-*` only when Fastify trusts a proxy). */
function apiOrigin(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

async function readText(ctx: AppContext, key: string, what: string): Promise<string> {
  try {
    const object = await ctx.s3.send(new GetObjectCommand({ Bucket: ctx.bucket, Key: key }));
    if ((object.ContentLength ?? 0) > MAX_PLAYED_FILE_BYTES) {
      throw new ApiError('UNPROCESSABLE', `${what} is larger than ${MAX_PLAYED_FILE_BYTES} bytes`);
    }
    return (await object.Body?.transformToString('utf8')) ?? '';
  } catch (error) {
    if (isNotFound(error)) throw new NotFoundError(what, { cause: error });
    throw error;
  }
}

/**
 * A live playlist as served while the job is processing: the worker stores the VOD playlists just before
 * it writes `succeeded`, and only the status says the job is done, so `#EXT-X-ENDLIST` waits for it.
 */
function withoutEndlist(playlist: string): string {
  return playlist.replace(/^#EXT-X-ENDLIST[ \t]*\r?\n?/m, '');
}

/** Every URI a rewrite function meets, in order. */
function urisOf(text: string, rewrite: typeof rewritePlaylist): string[] {
  const uris: string[] = [];
  rewrite(text, (uri) => {
    uris.push(uri);
    return uri;
  });
  return uris;
}

export function registerPlaybackRoutes(app: TypedApp, ctx: AppContext): void {
  const { secret, ttlSeconds } = ctx.config.playback;

  app.get(
    '/v1/jobs/:id/playback',
    {
      schema: {
        tags: ['jobs'],
        operationId: 'getJobPlayback',
        summary: 'Playback URLs of a job: HLS, MP4, poster, storyboard (no API key needed to use them)',
        description:
          'The HLS and storyboard URLs are signed API URLs (`/play/<token>/…`) whose playlists name presigned ' +
          'S3 GETs (or `PLAYBACK_BASE_URL`), all valid until `expiresAt`. A processing job answers as soon as ' +
          'every HLS rung has its first segment (`live: true`, growing playlists); before that 409 with ' +
          '`Retry-After`. A failed job answers 410 with the reason.',
        params: PlaybackJobParamsSchema,
        response: { 200: json('Playback URLs', PlaybackSchema), default: problemResponse },
      },
    },
    async (request): Promise<Playback> => {
      const jobId = request.params.id;
      const { status } = await loadJob(ctx, jobId, request.caller);
      const ladder = playableLadder(jobId, status);
      const grant = { jobId, expiresAt: Math.floor(Date.now() / 1000) + ttlSeconds };
      const links = new PlaybackLinks(ctx, grant, signPlaybackToken(grant, secret), apiOrigin(request));
      if (ladder?.live) {
        // Processing: only the ladder published so far; the other outputs come with success.
        return {
          hls: links.playUrl(ladder.masterKey),
          mp4: null,
          poster: null,
          storyboard: null,
          live: true,
          expiresAt: new Date(grant.expiresAt * 1000).toISOString(),
        };
      }
      const keyOf = (kind: string): string | undefined =>
        status?.outputs.find((output) => output.kind === kind)?.key;
      const hls = ladder?.masterKey;
      const mp4 = keyOf('mp4');
      const poster = keyOf('poster');
      const vtt = keyOf('vtt');
      let storyboard: Playback['storyboard'] = null;
      if (vtt !== undefined) {
        const images = storyboardImages(await readText(ctx, vtt, `storyboard of job ${jobId}`));
        const mapper = await links.mapperFor(vtt, images);
        storyboard = { vtt: links.playUrl(vtt), images: images.map(mapper) };
      }
      return {
        hls: hls === undefined ? null : links.playUrl(hls),
        mp4: mp4 === undefined ? null : await links.objectUrl(mp4),
        poster: poster === undefined ? null : await links.objectUrl(poster),
        storyboard,
        live: false,
        expiresAt: new Date(grant.expiresAt * 1000).toISOString(),
      };
    },
  );

  app.get(
    '/play/:token/:dir/:file',
    {
      config: { public: true } satisfies RouteFlags,
      schema: {
        tags: ['playback'],
        operationId: 'play',
        summary: "A job's HLS playlist or storyboard through a signed playback URL (no API key)",
        description:
          'Every URI in the file is rewritten to another signed playback URL (playlists) or a presigned S3 GET ' +
          '(or `PLAYBACK_BASE_URL`) that expires with the token. A tampered or expired token answers 403.',
        security: [],
        params: PlayParamsSchema,
        response: { 200: playedFileResponse, default: problemResponse },
      },
    },
    async (request, reply) => {
      const { token, dir, file } = request.params;
      const grant = verifyPlaybackToken(token, secret);
      const key = `${outputsPrefix(grant.jobId)}${dir}/${file}`;
      const links = new PlaybackLinks(ctx, grant, token, apiOrigin(request));
      const isPlaylist = file.endsWith('.m3u8');
      // A playlist is served only while it belongs to the ladder the job plays now: never one of a failed
      // or replaced attempt (its player stops instead of mixing two attempts).
      const live =
        isPlaylist && checkPlaylistIsCurrent(grant.jobId, await ctx.store.readStatus(grant.jobId), key).live;
      const text = await readText(ctx, key, `${dir}/${file} of job ${grant.jobId}`);
      const rewrite = isPlaylist ? rewritePlaylist : rewriteStoryboardVtt;
      const mapper = await links.mapperFor(key, urisOf(text, rewrite));
      return (
        reply
          // A live playlist changes with every segment: players and caches must ask again.
          .header('cache-control', live ? 'no-cache' : `private, max-age=${links.secondsLeft()}`)
          // Players on any origin (hls.js) read it; the token, not a cookie, is the credential.
          .header('access-control-allow-origin', '*')
          .type(isPlaylist ? PLAYLIST_CONTENT_TYPE : VTT_CONTENT_TYPE)
          .send(live ? withoutEndlist(rewrite(text, mapper)) : rewrite(text, mapper))
      );
    },
  );
}
